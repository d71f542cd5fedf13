// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import dev.stripewebhook.internal.ProblemJson;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Answers a {@link WebhookRejection} with the filter's problem+json body. */
public final class RejectionMapper implements ExceptionMapper<WebhookRejection> {

  @Override
  public Response toResponse(WebhookRejection rejection) {
    Response.ResponseBuilder response = Response.status(rejection.status())
        .type(ProblemJson.MEDIA_TYPE)
        .entity(ProblemJson.of(rejection.status(), rejection.reason(), rejection.title(),
            rejection.getMessage()));
    if (rejection.status() == 413) {
      response.header("Connection", "close"); // the rest of the body is not read
    }
    return response.build();
  }
}
