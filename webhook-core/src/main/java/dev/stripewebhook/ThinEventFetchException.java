// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

/**
 * Fetching a thin event's related object from Stripe's API failed (the network, an HTTP error, an
 * answer stripe-java cannot read). Thrown by {@link VerifiedEvent#dataObject()} and {@link
 * VerifiedEvent#event()} with {@value WebhookConfig.Keys#THIN_EVENTS}{@code =fetch}: it fails that
 * attempt (500, recorded, retried), as any handler failure does. The message names the event and
 * the path fetched, never the API key; the cause is stripe-java's exception.
 *
 * @since 0.2
 */
public final class ThinEventFetchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ThinEventFetchException(String message, Throwable cause) {
    super(message, cause);
  }
}
