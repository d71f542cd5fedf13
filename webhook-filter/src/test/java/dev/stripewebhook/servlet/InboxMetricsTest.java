// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.MutableClock;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The inbox gauges and the dead counter, in a registry the application hands over. */
class InboxMetricsTest {
  private static final String SECRET = "whsec_inbox_metrics";

  @Test
  void gaugesTheBacklogAndTheOldestWaitingEventAndCountsDeadEvents() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MutableClock clock = new MutableClock(Instant.now());
    WebhookConfig config = WebhookConfig.builder().secrets(SECRET).attempts(2).clock(clock).build();
    EventInbox inbox =
        new InMemoryEventInbox(InboxOptions.builder().clock(clock).attempts(2).build());
    try (JettyServer server =
        new JettyServer()
            .attribute(StripeWebhookFilter.METER_REGISTRY_ATTRIBUTE, registry)
            .filter(
                "/hook",
                new StripeWebhookFilter(
                    config, EventHandlers.of(new DeliveryMetricsTest.FailingOnRefunds()), inbox))
            .start()) {
      WebhookSender sender = new WebhookSender(server.uri("/hook"), SECRET);
      assertThat(registry.get("stripe.webhook.inbox.backlog").gauge().value()).isZero();
      assertThat(registry.get("stripe.webhook.inbox.oldest.age").gauge().value()).isZero();

      assertThat(sender.send(StripeFixtures.event("invoice.paid")).statusCode()).isEqualTo(200);
      byte[] refund = StripeFixtures.event("charge.refunded");
      assertThat(sender.send(refund).statusCode()).isEqualTo(500); // failed, waits
      clock.advance(Duration.ofSeconds(90)); // past the cache

      assertThat(registry.get("stripe.webhook.inbox.backlog").gauge().value()).isEqualTo(1);
      assertThat(registry.get("stripe.webhook.inbox.oldest.age").gauge().value()).isEqualTo(90.0);
      assertThat(registry.get("stripe.webhook.dead").counter().count()).isZero();

      assertThat(sender.send(refund).statusCode()).isEqualTo(500); // second: dead
      assertThat(registry.get("stripe.webhook.dead").counter().count()).isEqualTo(1);
      assertThat(sender.send(refund).statusCode()).isEqualTo(500); // still dead
      assertThat(registry.get("stripe.webhook.dead").counter().count())
          .as("a dead event is counted once, not at every later retry")
          .isEqualTo(1);
      clock.advance(Duration.ofSeconds(1)); // past the cache
      assertThat(registry.get("stripe.webhook.inbox.backlog").gauge().value()).isZero();
      assertThat(registry.get("stripe.webhook.inbox.oldest.age").gauge().value()).isZero();
    }
  }

  @Test
  void countsAnEventThatWentDeadInTheAsyncWorkers() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WebhookConfig config =
        WebhookConfig.builder()
            .secrets(SECRET)
            .attempts(1)
            .processing(WebhookConfig.Processing.ASYNC)
            .build();
    try (JettyServer server =
        new JettyServer()
            .attribute(StripeWebhookFilter.METER_REGISTRY_ATTRIBUTE, registry)
            .filter(
                "/hook",
                new StripeWebhookFilter(
                    config, EventHandlers.of(new DeliveryMetricsTest.FailingOnRefunds())))
            .start()) {
      WebhookSender sender = new WebhookSender(server.uri("/hook"), SECRET);
      assertThat(sender.send(StripeFixtures.event("charge.refunded")).statusCode())
          .isEqualTo(200); // stored; then dead
      assertThat(sender.send(StripeFixtures.event("invoice.paid")).statusCode()).isEqualTo(200);
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (registry.get("stripe.webhook.dead").counter().count() < 1
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(registry.get("stripe.webhook.dead").counter().count()).isEqualTo(1);
    }
  }
}
