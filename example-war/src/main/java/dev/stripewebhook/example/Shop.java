// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The example shop's state: orders and subscriptions, kept in memory. */
@ApplicationScoped
public class Shop {
  /** A subscription's status as of the Stripe event that set it. */
  public record SubscriptionState(String id, String status, String customer, Instant asOf) {}

  private final Map<String, String> orderStatus = new ConcurrentHashMap<>();
  private final Map<String, SubscriptionState> subscriptions = new ConcurrentHashMap<>();

  /** Sets an order's status: {@code paid} or {@code failed}. */
  public void setOrderStatus(String orderId, String status) {
    orderStatus.put(orderId, status);
  }

  /** An order's status, or empty when no event named it. */
  public Optional<String> orderStatus(String orderId) {
    return Optional.ofNullable(orderStatus.get(orderId));
  }

  /** Applies a subscription state unless a newer event already set one. */
  public void applySubscription(SubscriptionState state) {
    subscriptions.merge(state.id(), state,
        (current, next) -> next.asOf().isBefore(current.asOf()) ? current : next);
  }

  /** A subscription's latest known state. */
  public Optional<SubscriptionState> subscription(String id) {
    return Optional.ofNullable(subscriptions.get(id));
  }
}
