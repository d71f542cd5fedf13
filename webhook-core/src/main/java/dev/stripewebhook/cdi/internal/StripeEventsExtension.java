// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cdi.internal;

import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.model.v2.core.EventNotification;
import dev.stripewebhook.EventTypePattern;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.cdi.StripeEventType;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.enterprise.inject.spi.ProcessObserverMethod;
import java.lang.System.Logger.Level;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Collects, at deployment, the observers of Stripe events: which payloads they take and which event
 * types they want, and logs the types at start-up (the list a webhook endpoint's {@code
 * enabled_events} needs).
 *
 * <p>Not API: may change in any release.
 */
public final class StripeEventsExtension implements Extension {
  private static final System.Logger LOG = System.getLogger(StripeEventsExtension.class.getName());

  /** The kinds of payload observers can take. */
  enum Payload {
    VERIFIED_EVENT,
    EVENT,
    DATA_OBJECT,
    NOTIFICATION
  }

  private final Set<String> patterns = new ConcurrentSkipListSet<>();
  private final Set<Payload> syncPayloads = new ConcurrentSkipListSet<>();
  private final Set<Payload> asyncPayloads = new ConcurrentSkipListSet<>();
  private volatile boolean unqualified;

  void observer(@Observes ProcessObserverMethod<?, ?> event) {
    ObserverMethod<?> observer = event.getObserverMethod();
    Payload payload = payloadOf(observer.getObservedType());
    if (payload == null) {
      return;
    }
    (observer.isAsync() ? asyncPayloads : syncPayloads).add(payload);
    List<StripeEventType> types =
        observer.getObservedQualifiers().stream()
            .filter(StripeEventType.class::isInstance)
            .map(StripeEventType.class::cast)
            .toList();
    if (types.size() > 1) {
      // CDI notifies an observer only when the event carries all its qualifiers.
      event.addDefinitionError(
          new IllegalArgumentException(
              observer
                  + " has "
                  + types.size()
                  + " @StripeEventType patterns; CDI would require an event to match all of them. Use"
                  + " one pattern per observer method."));
      return;
    }
    if (types.isEmpty()) {
      unqualified = true;
    } else {
      patterns.add(EventTypePattern.check(types.get(0).value(), String.valueOf(observer)));
    }
  }

  void deployed(@Observes AfterDeploymentValidation event) {
    if (hasObservers()) {
      LOG.log(Level.INFO, "Stripe event types observed through CDI: {0}", observedTypes());
    }
  }

  private static Payload payloadOf(Type observed) {
    Type raw =
        observed instanceof ParameterizedType parameterized ? parameterized.getRawType() : observed;
    if (!(raw instanceof Class<?> type)) {
      return null;
    }
    if (type == VerifiedEvent.class) {
      return Payload.VERIFIED_EVENT;
    }
    if (type == Event.class) {
      return Payload.EVENT;
    }
    if (EventNotification.class.isAssignableFrom(type)) {
      return Payload.NOTIFICATION;
    }
    if (StripeObject.class.isAssignableFrom(type)
        && type != StripeObject.class
        && !Event.class.isAssignableFrom(type)) {
      return Payload.DATA_OBJECT;
    }
    return null;
  }

  /** Whether any observer takes a Stripe event payload. */
  public boolean hasObservers() {
    return !syncPayloads.isEmpty() || !asyncPayloads.isEmpty();
  }

  /** The observed event type patterns, sorted; {@code *} when some observer takes every type. */
  public Set<String> observedTypes() {
    Set<String> types = new TreeSet<>(patterns);
    if (unqualified) {
      types.add("*");
    }
    return types;
  }

  boolean observesSync(Payload payload) {
    return syncPayloads.contains(payload);
  }

  boolean observesAsync(Payload payload) {
    return asyncPayloads.contains(payload);
  }

  /** The qualifiers to fire an event of {@code type} with: every observed pattern it matches. */
  StripeEventType[] qualifiersFor(String type) {
    return patterns.stream()
        .filter(pattern -> EventTypePattern.matches(pattern, type))
        .map(StripeEventType.Literal::of)
        .toArray(StripeEventType[]::new);
  }
}
