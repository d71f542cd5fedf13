// SPDX-License-Identifier: Apache-2.0
/**
 * CDI observers for verified Stripe events, qualified by {@link
 * dev.stripewebhook.cdi.StripeEventType}. Optional: without a CDI container nothing here loads.
 */
package dev.stripewebhook.cdi;
