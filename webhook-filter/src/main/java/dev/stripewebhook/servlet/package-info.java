// SPDX-License-Identifier: Apache-2.0
/**
 * The servlet filter that verifies Stripe webhooks before anything else reads the body: {@link
 * dev.stripewebhook.servlet.StripeWebhookFilter}.
 */
package dev.stripewebhook.servlet;
