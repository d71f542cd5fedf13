// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.Objects;

/**
 * A webhook delivery failed verification. The {@link #reason()} is a stable code that callers and
 * tests act on; the message explains what to check and never contains a secret, an expected
 * signature or the whole {@code Stripe-Signature} header.
 *
 * @since 0.1
 */
public final class WebhookVerificationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Reason reason;

  /** Creates an exception; {@code message} must not contain secrets or signatures. */
  public WebhookVerificationException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason == null");
  }

  /** Why verification failed. */
  public Reason reason() {
    return reason;
  }

  /** No stack trace: a failed verification is an expected outcome, not a program error. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
