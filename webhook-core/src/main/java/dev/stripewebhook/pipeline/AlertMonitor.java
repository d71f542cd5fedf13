// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.LogText;
import dev.stripewebhook.OperationsConfig;
import dev.stripewebhook.WebhookAlert;
import dev.stripewebhook.WebhookAlert.Kind;
import dev.stripewebhook.WebhookAlertListener;
import dev.stripewebhook.WebhookConfig;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches deliveries for the two alerts: no verified delivery for longer than {@code silence}, and
 * more than {@code maxFailures} verification failures within {@code window}. Each alert is raised
 * once per episode: again only after a verified delivery ended the silence, or after the failures
 * fell back under the limit.
 *
 * <p>Not API: may change in any release. Thread safe.
 */
final class AlertMonitor {
  private static final System.Logger ALERTS = System.getLogger("dev.stripewebhook.alert");
  private static final int MAX_OUTSIDE_ADDRESSES = 64;
  private static final int MAX_HEALTH_EVENTS = 256;

  private final Clock clock;
  private final Duration silence;
  private final int maxFailures;
  private final Duration window;
  private final Consumer<WebhookAlert> sink;
  private final Deque<Instant> failures = new ArrayDeque<>();

  /** Addresses alerted about within the hour, bounded so that a flood cannot grow it. */
  private final Map<String, Instant> outsideRaised = new HashMap<>();

  /** Health events alerted about within the hour (their retries alert once), bounded. */
  private final Map<String, Instant> healthRaised = new HashMap<>();

  private Instant lastVerified;
  private boolean silenceRaised;
  private boolean failuresRaised;
  private ScheduledExecutorService timer;

  /**
   * A monitor; a null {@code silence} or {@code window} turns that alert off.
   *
   * @param sink where alerts go; called outside this monitor's lock
   */
  public AlertMonitor(
      Clock clock,
      Duration silence,
      int maxFailures,
      Duration window,
      Consumer<WebhookAlert> sink) {
    this.clock = clock;
    this.silence = silence;
    this.maxFailures = maxFailures;
    this.window = window;
    this.sink = sink;
    this.lastVerified = clock.instant();
  }

  /**
   * A monitor of {@code config}'s alerts that tells {@code listeners} (each failure of one logged
   * and ignored) and CDI observers through {@code events}. The silence and failure alerts need
   * {@link #startChecks()}; the allow-list alert works at once.
   */
  public static AlertMonitor create(
      WebhookConfig config,
      List<WebhookAlertListener> listeners,
      Optional<Consumer<Object>> events) {
    OperationsConfig operations = config.operations();
    return new AlertMonitor(
        config.verification().clock(),
        operations.alertSilence().orElse(null),
        operations.alertFailures().map(OperationsConfig.FailureAlert::max).orElse(0),
        operations.alertFailures().map(OperationsConfig.FailureAlert::window).orElse(null),
        alert -> {
          ALERTS.log(Level.WARNING, alert.kind() + ": " + alert.message());
          for (WebhookAlertListener listener : listeners) {
            tell(listener.getClass().getName(), () -> listener.onAlert(alert));
          }
          events.ifPresent(
              fire -> tell("(CDI observers of WebhookAlert)", () -> fire.accept(alert)));
        });
  }

  /**
   * Runs one listener of an alert; whatever it throws, Errors included, is logged and goes no
   * further: an alert is raised from a delivery's path, whose outcome it must not change.
   */
  private static void tell(String listener, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException | Error e) {
      ALERTS.log(Level.ERROR, "Alert listener " + listener + " failed: " + e.getClass().getName());
    }
  }

  /**
   * Checks the silence and failure alerts every 30 s (more often for a short silence) on a daemon
   * thread of its own, when either is configured. Stop it with {@link #stop()}.
   */
  public synchronized void startChecks() {
    if ((silence == null && window == null) || timer != null) {
      return;
    }
    long period = silence == null ? 30 : Math.max(1, Math.min(30, silence.getSeconds() / 4));
    timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "stripe-webhook-alerts");
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.SECONDS);
  }

  /** Stops the checks {@link #startChecks()} started. */
  public synchronized void stop() {
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

  /**
   * A delivery from {@code address}, outside the allow-list, verified: raises {@link
   * Kind#SIGNED_OUTSIDE_ALLOW_LIST} unless it was raised for this address within the hour.
   *
   * @return whether it was raised now (and so worth a log line of its own)
   */
  public boolean signedOutsideAllowList(String address, String advice) {
    WebhookAlert alert;
    synchronized (this) {
      Instant now = clock.instant();
      outsideRaised.values().removeIf(at -> at.isBefore(now.minus(Duration.ofHours(1))));
      if (outsideRaised.containsKey(address) || outsideRaised.size() >= MAX_OUTSIDE_ADDRESSES) {
        return false;
      }
      outsideRaised.put(address, now);
      alert =
          new WebhookAlert(
              Kind.SIGNED_OUTSIDE_ALLOW_LIST,
              "A correctly signed Stripe"
                  + " webhook delivery came from "
                  + address
                  + ", outside the allow-list, and was"
                  + " refused (403): "
                  + advice,
              now);
    }
    sink.accept(alert);
    return true;
  }

  /**
   * A verified delivery is one of Stripe's health events: raises {@link Kind#STRIPE_HEALTH} with
   * its type and id, unless it was raised for this event id within the hour (a redelivery).
   */
  public void stripeHealth(String type, String id) {
    WebhookAlert alert;
    synchronized (this) {
      Instant now = clock.instant();
      healthRaised.values().removeIf(at -> at.isBefore(now.minus(Duration.ofHours(1))));
      if (healthRaised.containsKey(id)) {
        return;
      }
      if (healthRaised.size() < MAX_HEALTH_EVENTS) {
        healthRaised.put(id, now);
      }
      alert =
          new WebhookAlert(
              Kind.STRIPE_HEALTH,
              "Stripe reported "
                  + LogText.escape(type)
                  + " (event "
                  + LogText.escape(id)
                  + "): see Workbench, Health, in the Dashboard, or fetch the event from the API",
              now,
              type,
              id);
    }
    sink.accept(alert);
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
        alert =
            new WebhookAlert(
                Kind.VERIFICATION_FAILURES,
                "More than "
                    + maxFailures
                    + " Stripe webhook deliveries failed verification in the last "
                    + window.toMinutes()
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
      if (silence != null
          && !silenceRaised
          && Duration.between(lastVerified, now).compareTo(silence) > 0) {
        silenceRaised = true;
        alert =
            new WebhookAlert(
                Kind.SILENCE,
                "No verified Stripe webhook delivery for "
                    + Duration.between(lastVerified, now).toMinutes()
                    + " minutes (since "
                    + lastVerified
                    + "): is the endpoint disabled in Stripe, the URL or secret changed, or the network"
                    + " blocked?",
                now);
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
