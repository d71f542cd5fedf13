// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The filter's Micrometer meters, in a registry the application hands over. */
class DeliveryMetricsTest {

  static final class FailingOnRefunds implements StripeEventHandler {
    @Override
    public Set<String> eventTypes() {
      return Set.of("*");
    }

    @Override
    public void handle(VerifiedEvent event) {
      if (event.type().equals("charge.refunded")) {
        throw new IllegalStateException("ledger down");
      }
    }
  }

  @Test
  void raisesAnAlertInTheLogWhenVerificationsFailOverTheLimit() throws Exception {
    WebhookConfig config =
        WebhookConfig.builder()
            .secrets("whsec_alert")
            .alertFailures(2, java.time.Duration.ofMinutes(5))
            .build();
    try (LogCapture log = LogCapture.of("dev.stripewebhook.alert");
        JettyServer server =
            new JettyServer()
                .filter("/hook", new StripeWebhookFilter(config, EventHandlers.none()))
                .start()) {
      WebhookSender wrong = new WebhookSender(server.uri("/hook"), "whsec_wrong");
      for (int i = 0; i < 3; i++) {
        assertThat(wrong.send(StripeFixtures.event("invoice.paid")).statusCode()).isEqualTo(400);
      }
      log.await(line -> line.startsWith("VERIFICATION_FAILURES"), java.time.Duration.ofSeconds(10));
      assertThat(log.warnings())
          .singleElement()
          .asString()
          .startsWith("VERIFICATION_FAILURES: More than 2 Stripe webhook deliveries failed");
    }
  }

  @Test
  void aSignedDeliveryFromOutsideTheAllowListIsRefusedButLoggedCountedAndAlertedOnce()
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // Loopback is outside the list: as if Stripe sent from an address the list lacks.
    WebhookConfig config =
        WebhookConfig.builder()
            .secrets("whsec_fence")
            .allowedIps(java.util.List.of("stripe"))
            .build();
    try (LogCapture alerts = LogCapture.of("dev.stripewebhook.alert");
        LogCapture endpoint = LogCapture.of(dev.stripewebhook.pipeline.WebhookEndpoint.class);
        JettyServer server =
            new JettyServer()
                .attribute(StripeWebhookFilter.METER_REGISTRY_ATTRIBUTE, registry)
                .filter("/hook", new StripeWebhookFilter(config, EventHandlers.none()))
                .start()) {
      WebhookSender stripe = new WebhookSender(server.uri("/hook"), "whsec_fence");
      assertThat(stripe.send(StripeFixtures.event("invoice.paid")).statusCode()).isEqualTo(403);
      assertThat(stripe.send(StripeFixtures.event("invoice.paid")).statusCode()).isEqualTo(403);
      // Not Stripe's: a wrong signature, and none at all. Refused, not counted, not alerted.
      WebhookSender wrong = new WebhookSender(server.uri("/hook"), "whsec_wrong");
      assertThat(wrong.send(StripeFixtures.event("invoice.paid")).statusCode()).isEqualTo(403);

      assertThat(registry.get("stripe.webhook.signed.outside.allowlist").counter().count())
          .isEqualTo(2);
      assertThat(alerts.warnings())
          .singleElement()
          .asString()
          .startsWith(
              "SIGNED_OUTSIDE_ALLOW_LIST: A correctly signed Stripe webhook delivery"
                  + " came from 127.0.0.1, outside the allow-list")
          .contains("stripe.webhook.stripe-ips-file")
          .doesNotContain("whsec_");
      assertThat(endpoint.warnings())
          .singleElement()
          .asString()
          .contains("a correctly signed delivery came from 127.0.0.1, outside the allow-list");
    }
  }

  @Test
  void countsEachOutcomeAndTimesVerification() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WebhookConfig config = WebhookConfig.builder().secrets("whsec_metrics").build();
    try (JettyServer server =
        new JettyServer()
            .attribute(StripeWebhookFilter.METER_REGISTRY_ATTRIBUTE, registry)
            .filter(
                "/hook", new StripeWebhookFilter(config, EventHandlers.of(new FailingOnRefunds())))
            .start()) {
      WebhookSender sender = new WebhookSender(server.uri("/hook"), "whsec_metrics");
      byte[] paid = StripeFixtures.event("invoice.paid");
      assertThat(sender.send(paid).statusCode()).isEqualTo(200);
      assertThat(sender.send(paid).statusCode()).isEqualTo(200); // a redelivery
      assertThat(sender.send(StripeFixtures.event("charge.refunded")).statusCode()).isEqualTo(500);
      byte[] other = StripeFixtures.event("invoice.paid");
      assertThat(sender.send(SignedPayload.of(other).secret("whsec_wrong")).statusCode())
          .isEqualTo(400);
    }
    assertThat(registry.get("stripe.webhook.received").counter().count()).isEqualTo(4);
    assertThat(registry.get("stripe.webhook.verified").counter().count()).isEqualTo(3);
    assertThat(registry.get("stripe.webhook.duplicates").counter().count()).isEqualTo(1);
    assertThat(registry.get("stripe.webhook.handled").counter().count()).isEqualTo(1);
    assertThat(registry.get("stripe.webhook.failed").counter().count()).isEqualTo(1);
    assertThat(
            registry
                .get("stripe.webhook.rejected")
                .tag("reason", "signature-mismatch")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get("stripe.webhook.verification").timer().count()).isEqualTo(3);
    assertThat(registry.get("stripe.webhook.handling").tag("outcome", "success").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("stripe.webhook.handling").tag("outcome", "failure").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("stripe.webhook.last.verified.age").gauge().value())
        .isBetween(0.0, 60.0);
  }
}
