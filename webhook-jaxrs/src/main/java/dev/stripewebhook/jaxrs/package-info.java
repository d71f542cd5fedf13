// SPDX-License-Identifier: Apache-2.0
/**
 * JAX-RS support: {@link dev.stripewebhook.jaxrs.StripeEvent} entity parameters and the {@link
 * dev.stripewebhook.jaxrs.VerifyStripeSignature} name binding, enabled by {@link
 * dev.stripewebhook.jaxrs.StripeWebhookFeature}.
 */
package dev.stripewebhook.jaxrs;
