// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

/** A request the JAX-RS providers refuse; answered as problem+json by {@link RejectionMapper}. */
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
