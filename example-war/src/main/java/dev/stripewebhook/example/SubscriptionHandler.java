// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import com.stripe.model.Subscription;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Set;

/**
 * Keeps each subscription's status. Stripe delivers in no guaranteed order, so the newest event
 * (by {@code created}) wins; a deletion leaves it {@code canceled}.
 */
public final class SubscriptionHandler implements StripeEventHandler {
  private static final System.Logger LOG = System.getLogger(SubscriptionHandler.class.getName());

  @Override
  public Set<String> eventTypes() {
    return Set.of("customer.subscription.*");
  }

  @Override
  public void handle(VerifiedEvent event) {
    Subscription subscription = event.dataObject(Subscription.class);
    String status = event.type().equals("customer.subscription.deleted") ? "canceled"
        : subscription.getStatus();
    Instant asOf = event.created().orElse(Instant.EPOCH);
    Shop.get().applySubscription(new Shop.SubscriptionState(subscription.getId(), status,
        subscription.getCustomer(), asOf));
    LOG.log(Level.INFO, "{0} {1}: subscription {2} is {3}", event.id(), event.type(),
        subscription.getId(), status);
  }
}
