// SPDX-License-Identifier: Apache-2.0
/**
 * Verification of Stripe webhook deliveries on their raw bytes, without servlet types.
 *
 * <pre>{@code
 * WebhookConfig config = WebhookConfig.builder().secrets(System.getenv("STRIPE_WEBHOOK_SECRET"))
 *     .build();
 * SignatureVerifier verifier = SignatureVerifier.create(config);
 * VerifiedEvent event = verifier.verify(rawBody, stripeSignatureHeader); // 400 on exception
 * EventHandlers.of(new InvoiceHandler()).dispatch(event);                // 500 on exception
 * }</pre>
 *
 * The servlet filter is in {@code dev.stripewebhook.servlet} (stripe-webhook-filter); helpers for
 * tests in {@code dev.stripewebhook.testing} (stripe-webhook-testing).
 */
package dev.stripewebhook;
