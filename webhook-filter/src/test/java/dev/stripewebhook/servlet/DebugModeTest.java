// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.MutableClock;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Debug mode: raw headers and bodies logged until the configured instant, and only then. */
class DebugModeTest {
  static final String SECRET = "whsec_debug_mode_secret";
  static final Instant NOW = Instant.parse("2026-11-23T18:00:00Z");

  LogCapture debugLog;
  LogCapture filterLog;
  final MutableClock clock = new MutableClock(NOW);

  @BeforeEach
  void listen() {
    debugLog = LogCapture.of(StripeWebhookFilter.DEBUG_LOGGER);
    filterLog = LogCapture.of(dev.stripewebhook.pipeline.WebhookEndpoint.class);
  }

  @AfterEach
  void stopListening() {
    debugLog.close();
    filterLog.close();
  }

  @Test
  void logsTheRawHeaderAndBodyWhileOnAndNothingAfterTheLimit() throws Exception {
    WebhookConfig config =
        WebhookConfig.builder()
            .secrets(SECRET)
            .clock(clock)
            .debugUntil(NOW.plus(Duration.ofMinutes(30)))
            .build();
    try (JettyServer server =
        new JettyServer()
            .filter("/hook", new StripeWebhookFilter(config, EventHandlers.none()))
            .start()) {
      assertThat(filterLog.messages())
          .filteredOn(line -> line.contains("DEBUG MODE is on until"))
          .singleElement()
          .asString()
          .contains("2026-11-23T18:30:00Z")
          .contains(StripeWebhookFilter.DEBUG_LOGGER)
          .contains("sensitive")
          .doesNotContain(SECRET);

      byte[] body = StripeFixtures.event("invoice.paid");
      String header = SignedPayload.of(body).secret(SECRET).at(clock.instant()).header();
      WebhookSender sender = new WebhookSender(server.uri("/hook"), SECRET);
      assertThat(sender.post(body, header).statusCode()).isEqualTo(200);
      String wrong = SignedPayload.of(body).secret("whsec_other").at(clock.instant()).header();
      assertThat(sender.post(body, wrong).statusCode()).isEqualTo(400);
      assertThat(debugLog.messages()).hasSize(2);
      assertThat(debugLog.messages().get(0))
          .contains("Stripe-Signature: " + header)
          .contains(new String(body, StandardCharsets.UTF_8))
          .doesNotContain(SECRET);
      assertThat(debugLog.messages().get(1)).contains("Stripe-Signature: " + wrong);

      clock.advance(Duration.ofMinutes(30));
      byte[] later = StripeFixtures.event("invoice.paid");
      assertThat(
              sender
                  .post(later, SignedPayload.of(later).secret(SECRET).at(clock.instant()).header())
                  .statusCode())
          .isEqualTo(200);
      assertThat(debugLog.messages()).hasSize(2);
      assertThat(filterLog.messages())
          .filteredOn(line -> line.contains("debug mode ended"))
          .hasSize(1);
    }
  }

  @Test
  void logsNothingByDefault() throws Exception {
    WebhookConfig config = WebhookConfig.builder().secrets(SECRET).clock(clock).build();
    try (JettyServer server =
        new JettyServer()
            .filter("/hook", new StripeWebhookFilter(config, EventHandlers.none()))
            .start()) {
      byte[] body = StripeFixtures.event("invoice.paid");
      assertThat(
              new WebhookSender(server.uri("/hook"), SECRET)
                  .post(body, SignedPayload.of(body).secret(SECRET).at(clock.instant()).header())
                  .statusCode())
          .isEqualTo(200);
    }
    assertThat(debugLog.messages()).isEmpty();
    assertThat(filterLog.messages()).noneMatch(line -> line.toLowerCase().contains("debug mode"));
  }

  @Test
  void aLimitAlreadyPastAtStartUpLogsNothing() throws Exception {
    WebhookConfig config =
        WebhookConfig.builder()
            .secrets(SECRET)
            .clock(clock)
            .debugUntil(NOW.minusSeconds(1))
            .build();
    try (JettyServer server =
        new JettyServer()
            .filter("/hook", new StripeWebhookFilter(config, EventHandlers.none()))
            .start()) {
      byte[] body = StripeFixtures.event("invoice.paid");
      new WebhookSender(server.uri("/hook"), SECRET)
          .post(body, SignedPayload.of(body).secret(SECRET).at(clock.instant()).header());
    }
    assertThat(debugLog.messages()).isEmpty();
    assertThat(filterLog.messages()).noneMatch(line -> line.contains("DEBUG MODE is on"));
  }
}
