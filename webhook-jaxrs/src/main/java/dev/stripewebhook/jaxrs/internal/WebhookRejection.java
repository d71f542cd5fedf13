// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

/**
 * A request the JAX-RS providers answer themselves instead of the resource method: as
 * problem+json by {@link RejectionMapper}, or, for a 200, as the filter's {@code
 * {"received":true}}.
 */
public final class WebhookRejection extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String reason;
  private final String title;

  WebhookRejection(int status, String reason, String title, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.reason = reason;
    this.title = title;
  }

  /** 200 without reaching the resource method: a redelivery of an event already done. */
  static WebhookRejection acknowledged() {
    return new WebhookRejection(200, "duplicate", "Already received",
        "This event was received and processed before.");
  }

  /** 409: another delivery of the event is being processed now. */
  static WebhookRejection inProgress() {
    return new WebhookRejection(409, "event-in-progress", "Event being processed",
        "Another delivery of this event is being processed now; Stripe will deliver it again"
            + " and then gets the result.");
  }

  int status() {
    return status;
  }

  String reason() {
    return reason;
  }

  String title() {
    return title;
  }
}
