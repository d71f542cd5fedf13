// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.VerifiedEvent;

/**
 * The processing a door has behind it when the endpoint has no handlers of its own: the servlet
 * behind the filter, or a JAX-RS resource method. {@link WebhookEndpoint} runs it inside the
 * event's claim, after the CDI observers that want the event; its status decides whether the event
 * is done.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface PassDown {
  /**
   * Processes the verified event.
   *
   * @param context the claim's context: with the JDBC inbox, writes through its connection commit
   *     with the event's done mark
   * @return the HTTP status the processing answered: 2xx marks the event done, anything else failed
   *     (Stripe delivers it again)
   * @throws Exception when it failed: the event is failed, and Stripe gets a 500 without the
   *     exception's text
   */
  int process(VerifiedEvent event, HandlingContext context) throws Exception;
}
