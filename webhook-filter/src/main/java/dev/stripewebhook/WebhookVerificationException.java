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

  /** Why verification failed. The {@link #code()} strings are API: they are never renamed. */
  public enum Reason {
    /** The request has no {@code Stripe-Signature} header. */
    MISSING_SIGNATURE_HEADER("missing-signature-header"),
    /** The header breaks Stripe's syntax: an empty item, a bad {@code t}, a bad {@code v1}... */
    MALFORMED_SIGNATURE_HEADER("malformed-signature-header"),
    /** The header is well formed but carries no {@code v1} signature (only {@code v0}, say). */
    NO_V1_SIGNATURE("no-v1-signature"),
    /** No {@code v1} signature matches the body under any configured secret. */
    SIGNATURE_MISMATCH("signature-mismatch"),
    /** The signed timestamp is further from this server's clock than the tolerance. */
    TIMESTAMP_OUTSIDE_TOLERANCE("timestamp-outside-tolerance"),
    /** The body verified but is not a Stripe event (not JSON, or no {@code id}/{@code type}). */
    MALFORMED_PAYLOAD("malformed-payload"),
    /** A mode-bound secret verified an event of the other mode. */
    MODE_MISMATCH("mode-mismatch"),
    /** The event's mode is not the one this deployment accepts ({@code stripe.webhook.livemode}). */
    LIVEMODE_NOT_ACCEPTED("livemode-not-accepted"),
    /** The event's connected account is not in {@code stripe.webhook.accounts}. */
    ACCOUNT_NOT_ALLOWED("account-not-allowed");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** The stable, machine-readable code, as used in problem responses and log lines. */
    public String code() {
      return code;
    }
  }

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
