// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

/**
 * Runs an endpoint's handlers on an event already in its inbox: what a replay, or an event
 * recovered from Stripe's Events API, needs when no redelivery will come.
 *
 * <p>{@code dev.stripewebhook.servlet.StripeWebhookFilter} publishes its processor as the servlet
 * context attribute {@value #ATTRIBUTE} once started, so that other parts of the application (the
 * admin console, the JAX-RS integration) share its inbox and handlers.
 *
 * @since 0.1
 */
public interface StoredEventProcessor {
  /** The servlet context attribute that holds the running filter's processor: {@value}. */
  String ATTRIBUTE = "dev.stripewebhook.inbox.processor";

  /** The inbox the events are stored in. */
  EventInbox inbox();

  /**
   * Claims the stored event and runs the handlers on it, after verifying its stored bytes again;
   * marks it done, failed or dead by the result.
   */
  EventInbox.Outcome process(String eventId) throws InboxException;

  /** Whether background workers also process due events (async processing). */
  boolean processesDueEvents();

  /**
   * Whether {@link #process} can run a stored event without a delivery: not for an endpoint whose
   * processing is the servlet or resource behind its filter, which runs only in a delivery (a
   * replay would mark the event done without processing it).
   */
  default boolean runsStoredEvents() {
    return true;
  }
}
