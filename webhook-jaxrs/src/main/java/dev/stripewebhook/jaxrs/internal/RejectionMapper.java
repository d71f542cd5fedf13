// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import dev.stripewebhook.Reason;
import dev.stripewebhook.pipeline.Decision;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Answers a {@link WebhookRejection} as the endpoint decided, as the filter would. */
public final class RejectionMapper implements ExceptionMapper<WebhookRejection> {
  @Override
  public Response toResponse(WebhookRejection rejection) {
    return render(rejection.decision());
  }

  /** The decision as a response. */
  static Response render(Decision decision) {
    Response.ResponseBuilder response =
        Response.status(decision.status()).type(decision.contentType()).entity(decision.body());
    if (decision.reason().orElse(null) == Reason.BODY_TOO_LARGE) {
      response.header("Connection", "close"); // the rest of the body is not read
    } else if (decision.reason().orElse(null) == Reason.METHOD_NOT_ALLOWED) {
      response.header("Allow", "POST");
    }
    return response.build();
  }
}
