// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Verifies the Stripe signature of requests to the annotated resource methods (or every method of
 * the annotated class) whose parameters are not the event: a {@code String} or {@code byte[]} body,
 * say. The method then reads the same bytes, and {@link dev.stripewebhook.VerifiedEvent} from the
 * request property {@value dev.stripewebhook.servlet.StripeWebhookFilter#EVENT_ATTRIBUTE}.
 *
 * @since 0.1
 */
@NameBinding
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface VerifyStripeSignature {}
