// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example's web.xml deployed on embedded Jetty, with signed events sent over HTTP. */
class ExampleWebAppTest {
  static final String SECRET = "whsec_example_test";
  static Server server;
  static WebhookSender sender;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty(WebhookConfig.Keys.SECRETS, SECRET);
    server = new Server(new InetSocketAddress("127.0.0.1", 0));
    WebAppContext webapp = new WebAppContext("src/main/webapp", "/");
    webapp.setParentLoaderPriority(true);
    webapp.setThrowUnavailableOnStartupException(true);
    server.setHandler(webapp);
    server.start();
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    sender = new WebhookSender(URI.create("http://127.0.0.1:" + port + "/webhooks/stripe"), SECRET);
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    System.clearProperty(WebhookConfig.Keys.SECRETS);
  }

  @Test
  void succeededPaymentMarksTheOrderPaidAndFailedOneFailed() throws Exception {
    assertThat(send(paymentIntent("payment_intent.succeeded", "ord_paid")).statusCode())
        .isEqualTo(200);
    assertThat(send(paymentIntent("payment_intent.payment_failed", "ord_failed")).statusCode())
        .isEqualTo(200);
    assertThat(Shop.get().orderStatus("ord_paid")).contains("paid");
    assertThat(Shop.get().orderStatus("ord_failed")).contains("failed");
  }

  @Test
  void newestSubscriptionEventWinsAndDeletionCancels() throws Exception {
    long now = Instant.now().getEpochSecond();
    send(subscription("customer.subscription.updated", "sub_order", now - 10, "active"));
    send(subscription("customer.subscription.updated", "sub_order", now - 20, "past_due"));
    assertThat(Shop.get().subscription("sub_order")).hasValueSatisfying(
        state -> assertThat(state.status()).isEqualTo("active"));
    send(subscription("customer.subscription.deleted", "sub_order", now, "canceled"));
    assertThat(Shop.get().subscription("sub_order")).hasValueSatisfying(
        state -> assertThat(state.status()).isEqualTo("canceled"));
  }

  @Test
  void otherEventTypesAreAcknowledged() throws Exception {
    assertThat(send(StripeFixtures.eventJson("charge.refunded")).statusCode()).isEqualTo(200);
  }

  static HttpResponse<String> send(JsonObject event) throws Exception {
    return sender.send(StripeFixtures.toBytes(event));
  }

  static JsonObject paymentIntent(String type, String orderId) {
    JsonObject event = StripeFixtures.eventJson(type);
    JsonObject metadata = new JsonObject();
    metadata.addProperty("order_id", orderId);
    event.getAsJsonObject("data").getAsJsonObject("object").add("metadata", metadata);
    return event;
  }

  static JsonObject subscription(String type, String id, long created, String status) {
    JsonObject event = StripeFixtures.eventJson(type);
    event.addProperty("created", created);
    JsonObject object = event.getAsJsonObject("data").getAsJsonObject("object");
    object.addProperty("id", id);
    object.addProperty("status", status);
    return event;
  }
}
