// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.jaxrs.internal.Verification;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;

/**
 * Verifies requests to {@link VerifyStripeSignature} methods before their parameters are read, and
 * puts the same bytes back for them.
 */
@VerifyStripeSignature
@Priority(Priorities.AUTHENTICATION)
final class VerifySignatureFilter implements ContainerRequestFilter {
  private final Verification verification;

  @Context private HttpServletRequest request;

  VerifySignatureFilter(Verification verification) {
    this.verification = verification;
  }

  @Override
  public void filter(ContainerRequestContext context) {
    HttpServletRequest servletRequest = request;
    VerifiedEvent event = Verification.verified(servletRequest);
    if (event == null) {
      event = verification.admit(servletRequest, context.getEntityStream());
      context.setEntityStream(event.bodyStream()); // over the held bytes: no copy
    }
    context.setProperty(StripeWebhookFilter.EVENT_ATTRIBUTE, event);
  }
}
