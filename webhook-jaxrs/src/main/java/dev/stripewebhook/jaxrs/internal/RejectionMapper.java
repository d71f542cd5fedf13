// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import dev.stripewebhook.internal.ProblemJson;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.nio.charset.StandardCharsets;

/** Answers a {@link WebhookRejection} with the filter's problem+json body. */
public final class RejectionMapper implements ExceptionMapper<WebhookRejection> {
  private static final byte[] RECEIVED = "{\"received\":true}".getBytes(StandardCharsets.UTF_8);

  @Override
  public Response toResponse(WebhookRejection rejection) {
    if (rejection.status() == 200) {
      return Response.ok(RECEIVED.clone(), MediaType.APPLICATION_JSON_TYPE).build();
    }
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
