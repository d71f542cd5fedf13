// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.VerifiedEvent;

/**
 * The thin events Stripe sends about the integration itself rather than about the account's
 * objects: the event destination ping, answered 200 without passing it to any door's processing
 * (only handlers and observers that ask for it see it), and the health events, which raise an
 * alert.
 *
 * <p>Not API: may change in any release.
 */
final class StripeSystemEvents {
  /** Sent when an event destination is tested (Dashboard or API): {@value}. */
  static final String PING = "v2.core.event_destination.ping";

  /** Stripe's health alerts ({@code v2.core.health.api_error.firing}...): {@value}. */
  static final String HEALTH_PREFIX = "v2.core.health.";

  private StripeSystemEvents() {}

  /** Whether the event is a thin event destination ping. */
  static boolean isPing(VerifiedEvent event) {
    return event.isThin() && PING.equals(event.type());
  }

  /** Whether the event is one of Stripe's thin health events. */
  static boolean isHealth(VerifiedEvent event) {
    return event.isThin() && event.type().startsWith(HEALTH_PREFIX);
  }
}
