// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Instant;
import java.util.Objects;

/**
 * Something an operator should look at: Stripe's deliveries stopped, many failed verification (both
 * raised only when configured: {@value WebhookConfig.Keys#ALERT_SILENCE}, {@value
 * WebhookConfig.Keys#ALERT_FAILURES}), a correctly signed delivery came from an address the
 * allow-list refuses, or Stripe sent one of its health events (both always). It reaches the log at
 * WARNING, every {@link WebhookAlertListener} found through {@link java.util.ServiceLoader}, and
 * CDI observers of this type.
 *
 * @param kind what happened
 * @param message what happened, for a person; never a secret
 * @param at when it was noticed
 * @param eventType the type of the event the alert is about ({@link Kind#STRIPE_HEALTH}), else null
 * @param eventId the id of the event the alert is about ({@link Kind#STRIPE_HEALTH}), else null
 * @since 0.1
 */
public record WebhookAlert(
    Kind kind, String message, Instant at, String eventType, String eventId) {

  /** The kinds of alert. */
  public enum Kind {
    /** No verified delivery for longer than the configured silence. */
    SILENCE,
    /** More verification failures than configured within the window. */
    VERIFICATION_FAILURES,
    /**
     * A delivery from outside {@value WebhookConfig.Keys#ALLOWED_IPS} carried a valid signature:
     * Stripe may send from an address the list lacks. Raised once an hour per address at most.
     */
    SIGNED_OUTSIDE_ALLOW_LIST,
    /**
     * Stripe sent one of its health events ({@code v2.core.health.*}, a thin event: an API error
     * rate, webhook latency, events it failed to generate...); the alert carries its type and id,
     * to be fetched from Stripe or looked up in Workbench. The event is processed as any other.
     * Raised once per event id.
     */
    STRIPE_HEALTH
  }

  /** Checks the parts. */
  public WebhookAlert {
    Objects.requireNonNull(kind, "kind == null");
    Objects.requireNonNull(message, "message == null");
    Objects.requireNonNull(at, "at == null");
  }

  /** An alert about no event in particular. */
  public WebhookAlert(Kind kind, String message, Instant at) {
    this(kind, message, at, null, null);
  }
}
