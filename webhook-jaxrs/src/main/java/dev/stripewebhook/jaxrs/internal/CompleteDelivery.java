// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;

/**
 * After a resource method that was the processing of a delivery verified here (no CDI observer
 * wanted it): its status decides whether the event is done or failed in the inbox.
 */
public final class CompleteDelivery implements ContainerResponseFilter {
  private final Verification verification;

  @Context
  private HttpServletRequest request;

  public CompleteDelivery(Verification verification) {
    this.verification = verification;
  }

  @Override
  public void filter(ContainerRequestContext requestContext,
      ContainerResponseContext responseContext) {
    HttpServletRequest servletRequest = request;
    if (servletRequest == null) {
      return;
    }
    Object eventId = servletRequest.getAttribute(Verification.PENDING_ATTRIBUTE);
    if (eventId instanceof String id) {
      servletRequest.removeAttribute(Verification.PENDING_ATTRIBUTE);
      verification.complete(servletRequest, id, responseContext.getStatus());
    }
  }
}
