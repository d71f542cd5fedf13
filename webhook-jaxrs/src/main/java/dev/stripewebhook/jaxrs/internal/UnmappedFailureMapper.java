// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import dev.stripewebhook.Reason;
import dev.stripewebhook.pipeline.Decision;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.lang.System.Logger.Level;

/**
 * What no exception mapper of the application maps: answered 500 without the exception's text, as a
 * response, so that the response filters run and a delivery's claim is completed ({@link
 * CompleteDelivery}) instead of held until its lease runs out. A delivery gets the endpoint's
 * {@code handler-failed} problem. The application's own mappers of narrower types win, as JAX-RS
 * picks the nearest; a {@link WebApplicationException} keeps its own response.
 */
public final class UnmappedFailureMapper implements ExceptionMapper<Throwable> {
  private static final System.Logger LOG = System.getLogger(UnmappedFailureMapper.class.getName());

  @Context private HttpServletRequest request;

  @Override
  public Response toResponse(Throwable failure) {
    if (failure instanceof WebApplicationException known) {
      return known.getResponse();
    }
    HttpServletRequest servletRequest = request;
    // A delivery this door admitted, or one the filter in front verified and passed down.
    boolean delivery =
        servletRequest != null
            && (servletRequest.getAttribute(Verification.ADMISSION_ATTRIBUTE) != null
                || servletRequest.getAttribute(StripeWebhookFilter.EVENT_ATTRIBUTE) != null);
    LOG.log(
        Level.ERROR,
        (delivery ? "The resource method of a Stripe delivery" : "A resource")
            + " threw "
            + failure.getClass().getName()
            + "; answered 500",
        failure);
    if (!delivery) {
      return Response.serverError().build();
    }
    return RejectionMapper.render(
        Decision.refusal(
            Reason.HANDLER_FAILED,
            "Processing failed"
                + " for this event; Stripe will deliver it again. See the server log."));
  }
}
