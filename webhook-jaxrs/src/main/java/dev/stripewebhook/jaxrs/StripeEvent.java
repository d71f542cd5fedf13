// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource method's entity parameter as a verified Stripe event. Supported parameter types:
 * the stripe-java {@code com.stripe.model.Event}, the event's typed data object ({@code
 * PaymentIntent}, {@code Invoice}...), a thin {@code EventNotification}, and {@link
 * dev.stripewebhook.VerifiedEvent}.
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * @Path("/webhooks/stripe")
 * public class StripeWebhookResource {
 *   @POST
 *   public void receive(@StripeEvent Event event) { ... }
 * }
 * }</pre>
 *
 * The signature is checked on the raw entity bytes before any JSON provider sees them; behind
 * {@link dev.stripewebhook.servlet.StripeWebhookFilter} the event the filter verified is used as
 * is. Enable it with {@link StripeWebhookFeature}.
 *
 * @since 0.1
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface StripeEvent {}
