// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import com.stripe.model.PaymentIntent;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import java.lang.System.Logger.Level;
import java.util.Set;

/** Marks the order named by {@code metadata.order_id} paid or failed. */
public final class PaymentIntentHandler implements StripeEventHandler {
  private static final System.Logger LOG = System.getLogger(PaymentIntentHandler.class.getName());

  @Override
  public Set<String> eventTypes() {
    return Set.of("payment_intent.*");
  }

  @Override
  public void handle(VerifiedEvent event) {
    String status = switch (event.type()) {
      case "payment_intent.succeeded" -> "paid";
      case "payment_intent.payment_failed" -> "failed";
      default -> null;
    };
    PaymentIntent intent = event.dataObject(PaymentIntent.class);
    String orderId = intent.getMetadata() == null ? null : intent.getMetadata().get("order_id");
    if (status == null || orderId == null) {
      LOG.log(Level.INFO, "{0} {1} for {2}: nothing to do", event.id(), event.type(),
          intent.getId());
      return;
    }
    Shop.get().setOrderStatus(orderId, status);
    LOG.log(Level.INFO, "{0} {1}: order {2} is {3}", event.id(), event.type(), orderId, status);
  }
}
