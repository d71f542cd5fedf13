// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cdi;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.util.Objects;

/**
 * Selects the Stripe events a CDI observer wants, by type: an exact type ({@code invoice.paid}), a
 * prefix wildcard ({@code customer.subscription.*}) or {@code *}. An observer without it gets every
 * event.
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class Billing {
 *   void paid(@Observes @StripeEventType("invoice.paid") Invoice invoice) { ... }    // in the request
 *   void changed(@Observes @StripeEventType("customer.subscription.*") Event event) { ... }
 *   void audit(@ObservesAsync VerifiedEvent delivery) { ... }                     // after the answer
 * }
 * }</pre>
 *
 * Observers may take the stripe-java {@code com.stripe.model.Event}, the event's typed data object
 * ({@code Invoice}, {@code PaymentIntent}...), a thin {@code EventNotification}, or the {@link
 * dev.stripewebhook.VerifiedEvent}. {@code @Observes} runs in the request: an exception answers 500
 * so that Stripe retries; {@code @ObservesAsync} runs after, without delaying the answer;
 * {@code @Priority} orders observers of the same payload.
 *
 * @since 0.1
 */
@Qualifier
@Documented
@Retention(RUNTIME)
@Target({PARAMETER, FIELD, METHOD, TYPE})
@Repeatable(StripeEventType.List.class)
public @interface StripeEventType {

  /** The event type pattern. */
  String value();

  /** Several patterns on one observer: any may match. */
  @Documented
  @Retention(RUNTIME)
  @Target({PARAMETER, FIELD, METHOD, TYPE})
  @interface List {
    /** The patterns. */
    StripeEventType[] value();
  }

  /** An instance of the qualifier, for {@code Event.select(...)}. */
  final class Literal extends AnnotationLiteral<StripeEventType> implements StripeEventType {
    private static final long serialVersionUID = 1L;

    private final String value;

    private Literal(String value) {
      this.value = Objects.requireNonNull(value, "value == null");
    }

    /** The qualifier for {@code pattern}. */
    public static Literal of(String pattern) {
      return new Literal(pattern);
    }

    @Override
    public String value() {
      return value;
    }
  }
}
