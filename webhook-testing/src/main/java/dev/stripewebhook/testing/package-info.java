// SPDX-License-Identifier: Apache-2.0
/**
 * Test helpers for applications: realistic events ({@link
 * dev.stripewebhook.testing.StripeFixtures}), signed as Stripe signs them ({@link
 * dev.stripewebhook.testing.SignedPayload}) and sent over HTTP ({@link
 * dev.stripewebhook.testing.WebhookSender}).
 */
package dev.stripewebhook.testing;
