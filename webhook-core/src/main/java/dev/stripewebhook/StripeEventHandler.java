// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.Set;

/**
 * Handles verified Stripe events of the types it names. Register handlers with {@link
 * EventHandlers}, through {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.stripewebhook.StripeEventHandler}), or by class name in the {@value
 * WebhookConfig.Keys#HANDLERS} init-param.
 *
 * <pre>{@code
 * public final class SubscriptionHandler implements StripeEventHandler {
 *   public Set<String> eventTypes() { return Set.of("customer.subscription.*"); }
 *   public void handle(VerifiedEvent event) {
 *     Subscription subscription = event.dataObject(Subscription.class);
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Handlers run in registration order: in the request with {@code sync} processing (the default),
 * where one that throws makes the delivery fail with 500 so that Stripe retries it; in the event
 * inbox's worker threads with {@code async} processing, where a failure is retried with backoff. An
 * event already done is not handled again; still, a handler that calls other systems must tolerate
 * seeing an event twice (a crash between its call and the done mark repeats it): use {@link
 * VerifiedEvent#id()} as an idempotency key. Writes through {@link HandlingContext#connection()}
 * commit with the done mark, exactly once. Implementations must be thread safe.
 *
 * @since 0.1
 */
public interface StripeEventHandler {

  /**
   * The event types this handler wants, each one of: an exact type ({@code invoice.paid}), a prefix
   * wildcard ({@code customer.subscription.*}: every type that starts with {@code
   * customer.subscription.}), or {@code *} for every event. Thin event notifications are routed by
   * their type the same way ({@code v1.billing.meter.*}); check {@link VerifiedEvent#isThin()} in a
   * catch-all handler.
   */
  Set<String> eventTypes();

  /**
   * Handles one verified event.
   *
   * @throws Exception to fail this attempt: answered 500 so that Stripe retries it (sync), or
   *     retried by the inbox's workers (async)
   */
  void handle(VerifiedEvent event) throws Exception;

  /**
   * Handles one verified event inside the inbox's processing; by default {@link
   * #handle(VerifiedEvent)}. Override it to write through {@link HandlingContext#connection()}:
   * with the JDBC inbox, those writes commit together with the event's "done" mark.
   *
   * @throws Exception to fail the delivery, rolling back the writes made through the context
   */
  default void handle(VerifiedEvent event, HandlingContext context) throws Exception {
    handle(event);
  }
}
