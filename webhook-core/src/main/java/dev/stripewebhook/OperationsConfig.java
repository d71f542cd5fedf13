// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What operators are told: the alerts ({@link WebhookAlert}), the delivery log's limit and debug
 * mode. An alert or debug mode is off unless set, which is an empty {@link Optional}. Part of a
 * {@link WebhookConfig}; immutable.
 *
 * @since 0.2
 */
public final class OperationsConfig {

  /**
   * The failure alert: more than {@code max} verification failures within {@code window} ({@value
   * WebhookConfig.Keys#ALERT_FAILURES}, written {@code max/minutes}).
   *
   * @param max failures tolerated within the window, ≥ 0
   * @param window the window; positive
   */
  public record FailureAlert(int max, Duration window) {
    /** Checks that {@code max} ≥ 0 and {@code window} is positive. */
    public FailureAlert {
      Objects.requireNonNull(window, "window == null");
      if (max < 0 || window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException(
            WebhookConfig.Keys.ALERT_FAILURES + ": N must be ≥ 0 and M ≥ 1");
      }
    }
  }

  private final Optional<Duration> alertSilence;
  private final Optional<FailureAlert> alertFailures;
  private final int deliveryLogLines;
  private final Optional<Instant> debugUntil;

  OperationsConfig(
      Optional<Duration> alertSilence,
      Optional<FailureAlert> alertFailures,
      int deliveryLogLines,
      Optional<Instant> debugUntil) {
    this.alertSilence = alertSilence;
    this.alertFailures = alertFailures;
    this.deliveryLogLines = deliveryLogLines;
    this.debugUntil = debugUntil;
  }

  /** How long without a verified delivery raises an alert; empty: off. */
  public Optional<Duration> alertSilence() {
    return alertSilence;
  }

  /** When verification failures raise an alert; empty: off. */
  public Optional<FailureAlert> alertFailures() {
    return alertFailures;
  }

  /**
   * How many deliveries a second get a line of their own on the delivery log ({@value
   * WebhookConfig.Keys#DELIVERY_LOG_LINES}); {@code 0}: every delivery.
   */
  public int deliveryLogLines() {
    return deliveryLogLines;
  }

  /**
   * Until when debug mode logs raw headers and bodies ({@value WebhookConfig.Keys#DEBUG_UNTIL});
   * empty: off.
   */
  public Optional<Instant> debugUntil() {
    return debugUntil;
  }

  @Override
  public String toString() {
    return "alertSilence="
        + alertSilence.map(d -> d.toMinutes() + "min").orElse("off")
        + ", alertFailures="
        + alertFailures.map(f -> f.max() + "/" + f.window().toMinutes()).orElse("off")
        + ", deliveryLogLines="
        + deliveryLogLines
        + debugUntil.map(u -> ", debugUntil=" + u).orElse("");
  }
}
