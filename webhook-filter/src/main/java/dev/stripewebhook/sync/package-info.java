// SPDX-License-Identifier: Apache-2.0
/**
 * Keeps a Stripe webhook endpoint's {@code enabled_events} in line with the event types the code
 * handles: {@link dev.stripewebhook.sync.EndpointSync}.
 */
package dev.stripewebhook.sync;
