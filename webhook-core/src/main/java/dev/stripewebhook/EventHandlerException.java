// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

/**
 * A {@link StripeEventHandler} failed for an event. The message names the event and the handler;
 * the cause is what the handler threw.
 *
 * @since 0.1
 */
public final class EventHandlerException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient StripeEventHandler handler;

  EventHandlerException(VerifiedEvent event, StripeEventHandler handler, Throwable cause) {
    super(
        "Stripe event "
            + event.id()
            + " ("
            + event.type()
            + ") failed in handler "
            + handler.getClass().getName()
            + ": "
            + cause,
        cause);
    this.handler = handler;
  }

  /** The handler that threw. */
  public StripeEventHandler handler() {
    return handler;
  }
}
