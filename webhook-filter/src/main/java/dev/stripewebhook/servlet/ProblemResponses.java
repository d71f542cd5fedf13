// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import dev.stripewebhook.internal.ProblemJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the filter's answers: small {@code application/problem+json} bodies (RFC 9457) carrying
 * a stable reason code, and never a secret or an expected signature.
 */
final class ProblemResponses {
  /** What the filter answered, for the delivery log line: a reason code or an outcome. */
  static final String OUTCOME_ATTRIBUTE = "dev.stripewebhook.outcome";

  private static final byte[] RECEIVED = "{\"received\":true}".getBytes(StandardCharsets.UTF_8);

  private ProblemResponses() {}

  /** 200; {@code outcome} names it in the delivery log: done, duplicate, stored... */
  static void received(HttpServletRequest request, HttpServletResponse response, String outcome)
      throws IOException {
    request.setAttribute(OUTCOME_ATTRIBUTE, outcome);
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("application/json");
    response.setContentLength(RECEIVED.length);
    response.getOutputStream().write(RECEIVED);
  }

  static void methodNotAllowed(HttpServletRequest request, HttpServletResponse response,
      String method) throws IOException {
    response.setHeader("Allow", "POST");
    write(request, response, 405, "method-not-allowed", "Method not allowed",
        "Stripe delivers webhooks with POST; this request used " + method + ".");
  }

  static void forbidden(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    write(request, response, 403, "address-not-allowed", "Forbidden",
        "This client address may not post webhooks here.");
  }

  static void tooLarge(HttpServletRequest request, HttpServletResponse response,
      String detail) throws IOException {
    // The rest of a too large body is not read: close the connection instead.
    response.setHeader("Connection", "close");
    write(request, response, 413, "body-too-large", "Payload too large", detail + ".");
  }

  static void verificationFailed(HttpServletRequest request, HttpServletResponse response,
      String reason, String detail)
      throws IOException {
    write(request, response, 400, reason, "Webhook verification failed", detail);
  }

  static void bodyConsumed(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    write(request, response, 500, "body-consumed", "Request body unavailable",
        "The body was read before the webhook filter ran; see the server log.");
  }

  static void handlerFailed(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    write(request, response, 500, "handler-failed", "Event handling failed",
        "A handler failed for this event; Stripe will retry it. See the server log.");
  }

  static void storageUnavailable(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    write(request, response, 503, "storage-unavailable", "Event storage unavailable",
        "The event could not be stored or updated; Stripe will deliver it again. See the server"
            + " log.");
  }

  static void inProgress(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    write(request, response, 409, "event-in-progress", "Event being processed",
        "Another delivery of this event is being processed now; Stripe will deliver it again"
            + " and then gets the result.");
  }

  private static void write(HttpServletRequest request, HttpServletResponse response, int status,
      String reason, String title, String detail) throws IOException {
    request.setAttribute(OUTCOME_ATTRIBUTE, reason);
    byte[] bytes = ProblemJson.of(status, reason, title, detail).getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType(ProblemJson.MEDIA_TYPE);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
