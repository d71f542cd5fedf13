// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.cdi.internal.CdiLookup;
import dev.stripewebhook.cdi.internal.StripeEventsExtension;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.sql.Connection;
import java.time.Instant;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
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
    container =
        new Weld()
            .disableDiscovery()
            .addBeanClasses(Shop.class, ShopEvents.class, TestDatabase.class)
            .addExtensions(new StripeEventsExtension())
            .initialize();
    observers = CdiLookup.observers(ShopEventsTest.class.getClassLoader()).orElseThrow();
    shop = container.select(Shop.class).get();
  }

  /** An H2 database in memory in place of the one ShopDatabase would choose in a container. */
  @ApplicationScoped
  static class TestDatabase {
    static final JdbcDataSource H2 = new JdbcDataSource();

    static {
      H2.setURL("jdbc:h2:mem:shop-events-test;DB_CLOSE_DELAY=-1");
      ShopDatabase.createTables(H2);
    }

    @Produces
    DataSource dataSource() {
      return H2;
    }
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
    assertThat(shop.order("ord_paid").map(Shop.Order::status)).contains("paid");
    assertThat(shop.order("ord_failed").map(Shop.Order::status)).contains("failed");
    assertThat(shop.order("ord_created")).isEmpty();
  }

  @Test
  void anOrderListsTheEventsAppliedToItInTheOrderTheyWereApplied() throws Exception {
    JsonObject failed = paymentIntent("payment_intent.payment_failed", "ord_twice");
    JsonObject succeeded = paymentIntent("payment_intent.succeeded", "ord_twice");
    deliver(failed);
    deliver(succeeded);
    assertThat(shop.order("ord_twice"))
        .hasValueSatisfying(
            order -> {
              assertThat(order.status()).isEqualTo("paid");
              assertThat(order.appliedEvents())
                  .containsExactly(
                      failed.get("id").getAsString(), succeeded.get("id").getAsString());
            });
  }

  @Test
  void writesJoinTheInboxTransactionAndRollBackWithIt() throws Exception {
    JsonObject event = paymentIntent("payment_intent.succeeded", "ord_rolled_back");
    try (Connection connection = TestDatabase.H2.getConnection()) {
      connection.setAutoCommit(false);
      byte[] body = StripeFixtures.toBytes(event);
      EventHandlers.of(observers)
          .dispatch(
              verifier().verify(body, SignedPayload.of(body).secret(SECRET).header()),
              HandlingContext.of(connection));
      connection.rollback();
    }
    assertThat(shop.order("ord_rolled_back")).isEmpty();
  }

  @Test
  void newestSubscriptionEventWinsAndDeletionCancels() throws Exception {
    long now = Instant.now().getEpochSecond();
    deliver(subscription("customer.subscription.updated", "sub_1", now - 10, "active"));
    deliver(subscription("customer.subscription.updated", "sub_1", now - 20, "past_due"));
    assertThat(shop.subscription("sub_1"))
        .hasValueSatisfying(state -> assertThat(state.status()).isEqualTo("active"));
    deliver(subscription("customer.subscription.deleted", "sub_1", now, "active"));
    assertThat(shop.subscription("sub_1"))
        .hasValueSatisfying(state -> assertThat(state.status()).isEqualTo("canceled"));
  }

  static void deliver(JsonObject event) throws Exception {
    byte[] body = StripeFixtures.toBytes(event);
    observers.handle(verifier().verify(body, SignedPayload.of(body).secret(SECRET).header()));
  }

  static SignatureVerifier verifier() {
    return SignatureVerifier.create(WebhookConfig.builder().secrets(SECRET).build());
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
