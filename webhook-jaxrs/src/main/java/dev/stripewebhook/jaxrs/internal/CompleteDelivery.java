// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;

/**
 * After a resource method that a delivery verified here reached: its status goes back to the
 * endpoint before the answer leaves (see {@link Verification#complete}).
 */
public final class CompleteDelivery implements ContainerResponseFilter {
  private final Verification verification;

  @Context private HttpServletRequest request;

  public CompleteDelivery(Verification verification) {
    this.verification = verification;
  }

  @Override
  public void filter(
      ContainerRequestContext requestContext, ContainerResponseContext responseContext) {
    HttpServletRequest servletRequest = request;
    if (servletRequest != null) {
      verification.complete(servletRequest, responseContext);
    }
  }
}
