// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.LogText;
import dev.stripewebhook.WebhookConfig;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Debug mode ({@value WebhookConfig.Keys#DEBUG_UNTIL}): the raw header and body of each delivery at
 * INFO on its own logger until the configured instant, then nothing (one line says it ended). Never
 * the secret: only what the client sent.
 *
 * <p>Not API: may change in any release.
 */
final class DebugLog {
  private final WebhookConfig config;
  private final String label;
  private final System.Logger announcements;
  private final System.Logger raw;
  private final String rawName;
  private final AtomicBoolean ended = new AtomicBoolean();

  /**
   * @param announcements where the start and the end of debug mode are said
   * @param rawName the logger of the raw deliveries
   */
  public DebugLog(WebhookConfig config, String label, System.Logger announcements, String rawName) {
    this.config = config;
    this.label = label;
    this.announcements = announcements;
    this.raw = System.getLogger(rawName);
    this.rawName = rawName;
  }

  /** Says at start-up whether debug mode is on, loudly, or already over. */
  public void announce() {
    config
        .operations()
        .debugUntil()
        .ifPresent(
            until -> {
              if (config.verification().clock().instant().isBefore(until)) {
                announcements.log(
                    Level.WARNING,
                    "{0}: DEBUG MODE is on until {1}: the raw"
                        + " Stripe-Signature header and body of every delivery are logged on {2}. They are"
                        + " sensitive (customer data; a logged delivery can be replayed within the"
                        + " tolerance): keep that log private, and remove {3} when done.",
                    label,
                    until,
                    rawName,
                    WebhookConfig.Keys.DEBUG_UNTIL);
              } else {
                ended.set(true);
                announcements.log(
                    Level.INFO,
                    "{0}: debug mode ended at {1}; nothing is logged; {2} can" + " be removed",
                    label,
                    until,
                    WebhookConfig.Keys.DEBUG_UNTIL);
              }
            });
  }

  /** Logs one delivery, while debug mode is on. */
  public void log(Delivery delivery, String client, String header, byte[] body) {
    Instant until = config.operations().debugUntil().orElse(null);
    if (until == null || ended.get()) {
      return;
    }
    if (!config.verification().clock().instant().isBefore(until)) {
      if (ended.compareAndSet(false, true)) {
        announcements.log(
            Level.WARNING,
            "{0}: debug mode ended at {1}; raw deliveries are no" + " longer logged",
            label,
            until);
      }
      return;
    }
    if (raw.isLoggable(Level.INFO)) {
      raw.log(
          Level.INFO,
          "{0} from {1}: Stripe-Signature: {2}; body ({3} bytes): {4}",
          LogText.escape(delivery.target()),
          LogText.escape(client),
          LogText.escape(header),
          Integer.toString(body.length),
          new String(body, StandardCharsets.UTF_8));
    }
  }
}
