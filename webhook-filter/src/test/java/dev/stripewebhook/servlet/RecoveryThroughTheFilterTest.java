// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.stripe.StripeClient;
import com.sun.net.httpserver.HttpServer;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.StoredEventProcessor;
import dev.stripewebhook.recovery.EventRecovery;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * In the application: recovery with the configuration and processor the running filter publishes,
 * and Stripe's own retry of a recovered event arriving afterwards.
 */
class RecoveryThroughTheFilterTest {
  static final String SECRET = "whsec_recovery_in_app";

  @Test
  void recoversWithTheFiltersHandlersAndALaterRedeliveryRunsNothingAgain() throws Exception {
    List<String> handled = new CopyOnWriteArrayList<>();
    StripeEventHandler recorder =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("invoice.paid");
          }

          @Override
          public void handle(VerifiedEvent event) {
            handled.add(event.id());
          }
        };
    byte[] missed = StripeFixtures.event("invoice.paid");
    HttpServer stripe = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stripe.createContext(
        "/v1/events",
        exchange -> {
          JsonObject page = new JsonObject();
          page.addProperty("object", "list");
          JsonArray data = new JsonArray();
          data.add(
              com.google.gson.JsonParser.parseString(new String(missed, StandardCharsets.UTF_8)));
          page.add("data", data);
          page.addProperty("has_more", false);
          page.addProperty("url", "/v1/events");
          byte[] body = StripeFixtures.toBytes(page);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    stripe.start();
    WebhookConfig config = WebhookConfig.builder().secrets(SECRET).build();
    try (JettyServer server =
        new JettyServer()
            .filter("/hook", new StripeWebhookFilter(config, EventHandlers.of(recorder)))
            .start()) {
      WebhookConfig published =
          (WebhookConfig) server.contextAttribute(StripeWebhookFilter.CONFIG_ATTRIBUTE);
      StoredEventProcessor processor =
          (StoredEventProcessor) server.contextAttribute(StoredEventProcessor.ATTRIBUTE);
      StripeClient client =
          StripeClient.builder()
              .setApiKey("sk_test_in_app")
              .setApiBase("http://127.0.0.1:" + stripe.getAddress().getPort())
              .build();

      EventRecovery.Report report =
          EventRecovery.create(client, published, processor)
              .run(
                  EventRecovery.Range.last(Duration.ofDays(3), published.verification().clock()),
                  EventRecovery.Options.all().onlyUndelivered());

      assertThat(report.stored()).isEqualTo(1);
      assertThat(report.processed()).isEqualTo(1);
      assertThat(handled).hasSize(1);
      HttpResponse<String> retry = new WebhookSender(server.uri("/hook"), SECRET).send(missed);
      assertThat(retry.statusCode()).isEqualTo(200);
      assertThat(handled).hasSize(1);
    } finally {
      stripe.stop(0);
    }
  }
}
