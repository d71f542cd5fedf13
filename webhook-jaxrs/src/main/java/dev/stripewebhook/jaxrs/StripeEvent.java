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
 * PaymentIntent}, {@code Invoice}...), a thin {@code com.stripe.model.v2.core.EventNotification} or
 * one of its typed subclasses ({@code V1BillingMeterErrorReportTriggeredEventNotification}...), and
 * {@link dev.stripewebhook.VerifiedEvent}.
 *
 * <p>Thin event notifications (event destinations with a thin payload) fill an {@code
 * EventNotification} or {@code VerifiedEvent} parameter; the notification is bound to the
 * endpoint's {@code StripeClient} (built from {@code stripe.api-key}), so its {@code fetchEvent()}
 * and {@code fetchRelatedObject()} work. A thin delivery to a parameter of a snapshot type gets the
 * related API v1 object, fetched, when {@code stripe.webhook.thin-events=fetch} and an API key are
 * configured (a failed fetch: 500 {@code thin-event-fetch-failed}); otherwise it is answered 500
 * {@code thin-event-needs-api-key}; either way it is recorded failed, so that Stripe retries it. A
 * typed notification or data object of another type than the event's is answered 400 {@code
 * unexpected-data-object}. The event destination ping ({@code v2.core.event_destination.ping}) is
 * answered 200 before any resource method runs.
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
