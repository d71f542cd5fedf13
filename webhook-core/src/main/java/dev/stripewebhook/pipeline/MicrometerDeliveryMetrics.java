// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.inbox.EventInbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The filter's meters, all named {@code stripe.webhook.*}: counters of received, verified, rejected
 * (by {@code reason}), duplicate, handled and failed deliveries, of events that went dead, and of
 * correctly signed deliveries refused for their address ({@code
 * stripe.webhook.signed.outside.allowlist}); timers of verification, of handling (handlers and
 * observers, in the request or in a worker, by {@code outcome}: {@code success} or {@code
 * failure}), of fetches of thin events' related objects for snapshot-typed code ({@code
 * stripe.webhook.thin.fetch}, by {@code outcome}) and of whole deliveries (by {@code outcome}); a
 * gauge of the seconds since the last verified delivery, which grows when Stripe stops reaching the
 * endpoint; and gauges of the inbox's backlog (received, processing and failed events) and of the
 * age of its oldest waiting event.
 */
final class MicrometerDeliveryMetrics implements DeliveryMetrics {
  private final MeterRegistry registry;
  private final Counter received;
  private final Counter verified;
  private final Counter duplicates;
  private final Counter handled;
  private final Counter failed;
  private final Counter dead;
  private final Counter signedOutsideAllowList;
  private final Timer verification;
  private final Timer handlingSucceeded;
  private final Timer handlingFailed;
  private final Timer fetchSucceeded;
  private final Timer fetchFailed;
  private final AtomicLong lastVerifiedNanos = new AtomicLong(System.nanoTime());

  private MicrometerDeliveryMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.received = registry.counter("stripe.webhook.received");
    this.verified = registry.counter("stripe.webhook.verified");
    this.duplicates = registry.counter("stripe.webhook.duplicates");
    this.handled = registry.counter("stripe.webhook.handled");
    this.failed = registry.counter("stripe.webhook.failed");
    this.dead = registry.counter("stripe.webhook.dead");
    this.signedOutsideAllowList = registry.counter("stripe.webhook.signed.outside.allowlist");
    this.verification = registry.timer("stripe.webhook.verification");
    this.handlingSucceeded = registry.timer("stripe.webhook.handling", "outcome", "success");
    this.handlingFailed = registry.timer("stripe.webhook.handling", "outcome", "failure");
    this.fetchSucceeded = registry.timer("stripe.webhook.thin.fetch", "outcome", "success");
    this.fetchFailed = registry.timer("stripe.webhook.thin.fetch", "outcome", "failure");
    Gauge.builder(
            "stripe.webhook.last.verified.age",
            lastVerifiedNanos,
            last -> (System.nanoTime() - last.get()) / 1e9)
        .baseUnit("seconds")
        .description("Seconds since the last verified delivery (or since start)")
        .register(registry);
  }

  static DeliveryMetrics create(Object registry) {
    return new MicrometerDeliveryMetrics(
        registry instanceof MeterRegistry given ? given : Metrics.globalRegistry);
  }

  @Override
  public void watch(EventInbox inbox, Clock clock) {
    InboxGauges gauges = new InboxGauges(inbox, clock);
    // Strong references: the registry would otherwise let the gauges' state be collected.
    Gauge.builder("stripe.webhook.inbox.backlog", gauges, InboxGauges::events)
        .description("Events received, processing or failed: not yet handled successfully")
        .strongReference(true)
        .register(registry);
    Gauge.builder("stripe.webhook.inbox.oldest.age", gauges, InboxGauges::oldestAgeSeconds)
        .baseUnit("seconds")
        .description("Seconds the oldest received, processing or failed event has waited (0: none)")
        .strongReference(true)
        .register(registry);
  }

  @Override
  public void dead() {
    dead.increment();
  }

  @Override
  public void signedOutsideAllowList() {
    signedOutsideAllowList.increment();
  }

  @Override
  public void verification(long nanos) {
    verification.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void handling(boolean succeeded, long nanos) {
    (succeeded ? handlingSucceeded : handlingFailed).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void thinEventFetch(boolean succeeded, long nanos) {
    (succeeded ? fetchSucceeded : fetchFailed).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void delivery(boolean wasVerified, int status, String outcome, long nanos) {
    received.increment();
    String name = outcome == null ? "passed-down" : outcome;
    if (wasVerified) {
      verified.increment();
      lastVerifiedNanos.set(System.nanoTime());
      if (name.equals("duplicate")) {
        duplicates.increment();
      } else if (status >= 200 && status < 300) {
        handled.increment();
      } else if (status >= 500) {
        failed.increment();
      }
    } else {
      registry.counter("stripe.webhook.rejected", "reason", name).increment();
    }
    registry.timer("stripe.webhook.delivery", "outcome", name).record(nanos, TimeUnit.NANOSECONDS);
  }
}
