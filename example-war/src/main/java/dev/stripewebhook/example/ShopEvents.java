// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import com.stripe.model.PaymentIntent;
import com.stripe.model.Subscription;
import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.cdi.StripeEventType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The shop's reaction to Stripe events, as CDI observers: the same for deliveries through the
 * servlet filter ({@code /webhooks/stripe}) and through JAX-RS ({@code /api/webhooks/stripe}).
 *
 * <p>They write through the inbox's connection ({@link HandlingContext#current()}): the shop's
 * change and the inbox's done mark commit together, so a redelivery never applies an event twice,
 * and a failure leaves neither.
 */
@ApplicationScoped
public class ShopEvents {
  private static final System.Logger LOG = System.getLogger(ShopEvents.class.getName());

  @Inject Shop shop;

  /** Marks the order named by {@code metadata.order_id} paid or failed. */
  void paymentIntent(@Observes @StripeEventType("payment_intent.*") VerifiedEvent event) {
    String status =
        switch (event.type()) {
          case "payment_intent.succeeded" -> "paid";
          case "payment_intent.payment_failed" -> "failed";
          default -> null;
        };
    PaymentIntent intent = event.dataObject(PaymentIntent.class);
    String orderId = intent.getMetadata() == null ? null : intent.getMetadata().get("order_id");
    if (status == null || orderId == null) {
      LOG.log(
          Level.INFO, "{0} {1} for {2}: nothing to do", event.id(), event.type(), intent.getId());
      return;
    }
    inTransaction(connection -> shop.applyPayment(connection, orderId, status, event.id()));
    LOG.log(Level.INFO, "{0} {1}: order {2} is {3}", event.id(), event.type(), orderId, status);
  }

  /**
   * Keeps each subscription's status. Stripe delivers in no guaranteed order, so the newest event
   * (by {@code created}) wins; a deletion leaves it {@code canceled}.
   */
  void subscription(@Observes @StripeEventType("customer.subscription.*") VerifiedEvent event) {
    Subscription subscription = event.dataObject(Subscription.class);
    String status =
        event.type().equals("customer.subscription.deleted")
            ? "canceled"
            : subscription.getStatus();
    Shop.SubscriptionState state =
        new Shop.SubscriptionState(
            subscription.getId(),
            status,
            subscription.getCustomer(),
            event.created().orElse(Instant.EPOCH));
    inTransaction(connection -> shop.applySubscription(connection, state));
    LOG.log(
        Level.INFO,
        "{0} {1}: subscription {2} is {3}",
        event.id(),
        event.type(),
        subscription.getId(),
        status);
  }

  /** A write on the shop's database. */
  @FunctionalInterface
  interface Write {
    void on(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code write} in the inbox's transaction; with no inbox transaction (an inbox in memory),
   * in a transaction of its own.
   */
  private void inTransaction(Write write) {
    try {
      Optional<Connection> inbox = HandlingContext.current().connection();
      if (inbox.isPresent()) {
        write.on(inbox.get());
        return;
      }
      try (Connection own = shop.dataSource().getConnection()) {
        own.setAutoCommit(false);
        try {
          write.on(own);
          own.commit();
        } catch (SQLException | RuntimeException e) {
          own.rollback();
          throw e;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Shop database: " + e.getMessage(), e);
    }
  }
}
