// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.DispatcherType;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A sample of the test kit as an application's own test uses it: a handler, a server, events. */
class StripeWebhooksTest {
  static final Map<String, String> orders = new ConcurrentHashMap<>();
  static Server server;

  /** The application's handler under test. */
  static final class OrderHandler implements StripeEventHandler {
    @Override
    public Set<String> eventTypes() {
      return Set.of("payment_intent.succeeded");
    }

    @Override
    public void handle(VerifiedEvent event) {
      var intent = event.dataObject(com.stripe.model.PaymentIntent.class);
      orders.put(intent.getMetadata().get("order_id"), "paid");
    }
  }

  @RegisterExtension
  static StripeWebhooks stripe =
      StripeWebhooks.to(
              () ->
                  URI.create(
                      "http://127.0.0.1:"
                          + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
                          + "/webhooks/stripe"))
          .secret("whsec_sample");

  @BeforeAll
  static void start() throws Exception {
    server = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(
        new FilterHolder(
            new StripeWebhookFilter(
                WebhookConfig.builder().secrets("whsec_sample").build(),
                EventHandlers.of(new OrderHandler()))),
        "/webhooks/stripe",
        EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  @Test
  void aSucceededPaymentMarksItsOrderPaid() throws Exception {
    var response =
        stripe.send(
            "payment_intent.succeeded",
            event -> {
              JsonObject metadata = new JsonObject();
              metadata.addProperty("order_id", "ord_sample");
              event.getAsJsonObject("data").getAsJsonObject("object").add("metadata", metadata);
            });
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(orders).containsEntry("ord_sample", "paid");
  }

  @Test
  void brokenVariantsAreRefused(WebhookSender sender) throws Exception {
    var stale = stripe.payload("invoice.paid").at(Instant.now().minusSeconds(600));
    assertThat(sender.send(stale).body()).contains("timestamp-outside-tolerance");
    var rotated = stripe.payload("invoice.paid").secret("whsec_old", "whsec_sample");
    assertThat(stripe.send(rotated).statusCode()).isEqualTo(200);
    var wrong = stripe.payload("invoice.paid").secret("whsec_other");
    assertThat(stripe.send(wrong).statusCode()).isEqualTo(400);
  }
}
