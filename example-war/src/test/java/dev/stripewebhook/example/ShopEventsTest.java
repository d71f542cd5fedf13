// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.cdi.internal.CdiLookup;
import dev.stripewebhook.cdi.internal.StripeEventsExtension;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.time.Instant;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shop's observers, fed verified events through the library's CDI dispatch. */
class ShopEventsTest {
  static final String SECRET = "whsec_shop";
  static WeldContainer container;
  static StripeEventHandler observers;
  static Shop shop;

  @BeforeAll
  static void boot() {
    container = new Weld().disableDiscovery().addBeanClasses(Shop.class, ShopEvents.class)
        .addExtensions(new StripeEventsExtension()).initialize();
    observers = CdiLookup.observers(ShopEventsTest.class.getClassLoader()).orElseThrow();
    shop = container.select(Shop.class).get();
  }

  @AfterAll
  static void shutdown() {
    container.shutdown();
  }

  @Test
  void succeededPaymentMarksTheOrderPaidAndFailedOneFailed() throws Exception {
    deliver(paymentIntent("payment_intent.succeeded", "ord_paid"));
    deliver(paymentIntent("payment_intent.payment_failed", "ord_failed"));
    deliver(paymentIntent("payment_intent.created", "ord_created"));
    assertThat(shop.orderStatus("ord_paid")).contains("paid");
    assertThat(shop.orderStatus("ord_failed")).contains("failed");
    assertThat(shop.orderStatus("ord_created")).isEmpty();
  }

  @Test
  void newestSubscriptionEventWinsAndDeletionCancels() throws Exception {
    long now = Instant.now().getEpochSecond();
    deliver(subscription("customer.subscription.updated", "sub_1", now - 10, "active"));
    deliver(subscription("customer.subscription.updated", "sub_1", now - 20, "past_due"));
    assertThat(shop.subscription("sub_1")).hasValueSatisfying(
        state -> assertThat(state.status()).isEqualTo("active"));
    deliver(subscription("customer.subscription.deleted", "sub_1", now, "active"));
    assertThat(shop.subscription("sub_1")).hasValueSatisfying(
        state -> assertThat(state.status()).isEqualTo("canceled"));
  }

  static void deliver(JsonObject event) throws Exception {
    byte[] body = StripeFixtures.toBytes(event);
    WebhookConfig config = WebhookConfig.builder().secrets(SECRET).build();
    observers.handle(SignatureVerifier.create(config).verify(body,
        SignedPayload.of(body).secret(SECRET).header()));
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
