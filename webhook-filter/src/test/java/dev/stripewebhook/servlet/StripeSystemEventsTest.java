// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.TestHandlers;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The thin events Stripe sends about the integration: the event destination ping is answered 200
 * without any handler and without reaching the servlet behind; a health event raises an alert and
 * is processed as any other.
 */
class StripeSystemEventsTest {
  private static final String SECRET = "whsec_system_events";

  /** A servlet behind the filter that fails every event it gets, and counts them. */
  static final class FailingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    final AtomicInteger calls = new AtomicInteger();

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
      calls.incrementAndGet();
      response.setStatus(500);
    }
  }

  static String id(byte[] body) {
    return JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
        .getAsJsonObject()
        .get("id")
        .getAsString();
  }

  @Test
  void aPingIsAnswered200AndDoneWithoutAHandlerForIt() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    EventInbox inbox = new InMemoryEventInbox(InboxOptions.defaults());
    try (JettyServer server =
        new JettyServer()
            .filter(
                "/hook",
                new StripeWebhookFilter(
                    WebhookConfig.builder().secrets(SECRET).build(),
                    EventHandlers.of(
                        TestHandlers.on("invoice.paid", event -> seen.add(event.type()))),
                    inbox))
            .start()) {
      byte[] ping = StripeFixtures.thinEvent(StripeFixtures.EVENT_DESTINATION_PING);
      HttpResponse<String> response = new WebhookSender(server.uri("/hook"), SECRET).send(ping);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(inbox.find(id(ping)).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
      assertThat(seen).isEmpty();
    }
  }

  @Test
  void aPingIsAnswered200AndDoneWithoutPassingItDownToTheServletBehind() throws Exception {
    EventInbox inbox = new InMemoryEventInbox(InboxOptions.defaults());
    FailingServlet behind = new FailingServlet();
    try (JettyServer server =
        new JettyServer()
            .filter(
                "/hook/*",
                new StripeWebhookFilter(
                    WebhookConfig.builder().secrets(SECRET).build(), EventHandlers.none(), inbox))
            .servlet("/hook/*", behind)
            .start()) {
      WebhookSender sender = new WebhookSender(server.uri("/hook/stripe"), SECRET);
      byte[] ping = StripeFixtures.thinEvent(StripeFixtures.EVENT_DESTINATION_PING);
      HttpResponse<String> response = sender.send(ping);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(behind.calls).hasValue(0);
      assertThat(inbox.find(id(ping)).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
      // Any other event still goes down: the servlet behind is the processing.
      byte[] meter = StripeFixtures.thinEvent(StripeFixtures.METER_ERROR_REPORT_TRIGGERED);
      assertThat(sender.send(meter).statusCode()).isEqualTo(500);
      assertThat(behind.calls).hasValue(1);
    }
  }

  @Test
  void aHealthEventRaisesOneAlertWithItsTypeAndIdAndIsHandled() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (LogCapture alerts = LogCapture.of("dev.stripewebhook.alert");
        JettyServer server =
            new JettyServer()
                .filter(
                    "/hook",
                    new StripeWebhookFilter(
                        WebhookConfig.builder().secrets(SECRET).build(),
                        EventHandlers.of(
                            TestHandlers.on("v2.core.health.*", event -> seen.add(event.type())))))
                .start()) {
      WebhookSender sender = new WebhookSender(server.uri("/hook"), SECRET);
      byte[] health =
          StripeFixtures.thinEvent(StripeFixtures.HEALTH_EVENT_GENERATION_FAILURE_RESOLVED);
      assertThat(sender.send(health).statusCode()).isEqualTo(200);
      assertThat(sender.send(health).statusCode()).isEqualTo(200); // a redelivery: no new alert
      assertThat(sender.send(StripeFixtures.thinEvent("v2.core.account.updated")).statusCode())
          .isEqualTo(200);

      assertThat(seen).containsExactly("v2.core.health.event_generation_failure.resolved");
      assertThat(alerts.warnings())
          .singleElement()
          .asString()
          .startsWith("STRIPE_HEALTH: Stripe reported")
          .contains("v2.core.health.event_generation_failure.resolved")
          .contains(id(health))
          .doesNotContain("whsec_")
          .doesNotContain("created");
    }
  }
}
