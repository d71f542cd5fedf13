// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.WebhookAlert;
import dev.stripewebhook.WebhookAlert.Kind;
import dev.stripewebhook.WebhookAlertListener;
import dev.stripewebhook.OperationsConfig;
import dev.stripewebhook.WebhookConfig;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches deliveries for the two alerts: no verified delivery for longer than {@code silence},
 * and more than {@code maxFailures} verification failures within {@code window}. Each alert is
 * raised once per episode: again only after a verified delivery ended the silence, or after the
 * failures fell back under the limit.
 *
 * <p>Not API: may change in any release. Thread safe.
 */
final class AlertMonitor {
  private static final System.Logger ALERTS = System.getLogger("dev.stripewebhook.alert");

  private final Clock clock;
  private final Duration silence;
  private final int maxFailures;
  private final Duration window;
  private final Consumer<WebhookAlert> sink;
  private final Deque<Instant> failures = new ArrayDeque<>();
  private Instant lastVerified;
  private boolean silenceRaised;
  private boolean failuresRaised;
  private ScheduledExecutorService timer;

  /**
   * A monitor; a null {@code silence} or {@code window} turns that alert off.
   *
   * @param sink where alerts go; called outside this monitor's lock
   */
  public AlertMonitor(Clock clock, Duration silence, int maxFailures, Duration window,
      Consumer<WebhookAlert> sink) {
    this.clock = clock;
    this.silence = silence;
    this.maxFailures = maxFailures;
    this.window = window;
    this.sink = sink;
    this.lastVerified = clock.instant();
  }

  /**
   * A monitor of {@code config}'s alerts that checks every 30 s (more often for a short silence)
   * on a daemon thread of its own, and tells {@code listeners}, each failure of one logged and
   * ignored; null when no alert is configured. Stop it with {@link #stop()}.
   */
  public static AlertMonitor start(WebhookConfig config, List<WebhookAlertListener> listeners,
      Optional<Consumer<Object>> events) {
    OperationsConfig operations = config.operations();
    if (operations.alertSilence().isEmpty() && operations.alertFailures().isEmpty()) {
      return null;
    }
    Duration silence = operations.alertSilence().orElse(null);
    AlertMonitor monitor = new AlertMonitor(config.verification().clock(), silence,
        operations.alertFailures().map(OperationsConfig.FailureAlert::max).orElse(0),
        operations.alertFailures().map(OperationsConfig.FailureAlert::window).orElse(null),
        alert -> {
          ALERTS.log(Level.WARNING, alert.kind() + ": " + alert.message());
          for (WebhookAlertListener listener : listeners) {
            try {
              listener.onAlert(alert);
            } catch (RuntimeException e) {
              ALERTS.log(Level.ERROR, "Alert listener " + listener.getClass().getName()
                  + " failed: " + e.getClass().getName());
            }
          }
          events.ifPresent(fire -> fire.accept(alert));
        });
    long period = silence == null ? 30 : Math.max(1, Math.min(30, silence.getSeconds() / 4));
    monitor.timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "stripe-webhook-alerts");
      thread.setDaemon(true);
      return thread;
    });
    monitor.timer.scheduleWithFixedDelay(monitor::check, period, period, TimeUnit.SECONDS);
    return monitor;
  }

  /** Stops the checks of a monitor made by {@link #start}. */
  public void stop() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /** A delivery verified: the silence, if any, is over. */
  public void verified() {
    synchronized (this) {
      lastVerified = clock.instant();
      silenceRaised = false;
    }
  }

  /** A delivery failed verification. */
  public void rejected() {
    if (window == null) {
      return;
    }
    WebhookAlert alert = null;
    synchronized (this) {
      Instant now = clock.instant();
      failures.addLast(now);
      trim(now);
      if (failures.size() > maxFailures + 1) {
        failures.removeFirst(); // counting past the limit needs no more: bounded under a flood
      }
      if (failures.size() > maxFailures && !failuresRaised) {
        failuresRaised = true;
        alert = new WebhookAlert(Kind.VERIFICATION_FAILURES, "More than " + maxFailures
            + " Stripe webhook deliveries failed verification in the last " + window.toMinutes()
            + " minutes: a rotated or wrong secret, a proxy changing bodies,"
            + " clock skew, or someone probing the endpoint; see the delivery log for reasons",
            now);
      }
    }
    if (alert != null) {
      sink.accept(alert);
    }
  }

  /** Checks the silence; the filter calls it periodically. */
  public void check() {
    WebhookAlert alert = null;
    synchronized (this) {
      Instant now = clock.instant();
      if (window != null) {
        trim(now);
        if (failures.size() <= maxFailures) {
          failuresRaised = false;
        }
      }
      if (silence != null && !silenceRaised
          && Duration.between(lastVerified, now).compareTo(silence) > 0) {
        silenceRaised = true;
        alert = new WebhookAlert(Kind.SILENCE, "No verified Stripe webhook delivery for "
            + Duration.between(lastVerified, now).toMinutes() + " minutes (since " + lastVerified
            + "): is the endpoint disabled in Stripe, the URL or secret changed, or the network"
            + " blocked?", now);
      }
    }
    if (alert != null) {
      sink.accept(alert);
    }
  }

  private void trim(Instant now) {
    Instant oldest = now.minus(window);
    while (!failures.isEmpty() && failures.peekFirst().isBefore(oldest)) {
      failures.removeFirst();
    }
  }
}
