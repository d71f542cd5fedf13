// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cdi.internal;

import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.cdi.internal.StripeEventsExtension.Payload;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.event.ObserverException;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Fires a verified event to the CDI observers that want it, as a handler of the observed types. The
 * payloads are built only when some observer takes them: the stripe-java {@code Event}, the data
 * object, the thin notification, the {@link VerifiedEvent} itself. The qualifiers are every
 * observed {@code @StripeEventType} pattern that matches, fired together once, so an observer is
 * notified once per delivery however many of its patterns match. A thin event gives the data object
 * only when it {@link VerifiedEvent#fetchesSnapshot()}: then it is fetched from Stripe's API when
 * an observer of data objects exists.
 *
 * <p>Not API: may change in any release.
 */
public final class CdiEventDispatcher implements StripeEventHandler {
  private static final System.Logger LOG = System.getLogger(CdiEventDispatcher.class.getName());
  private static final int MAX_CACHED_TYPES = 1024;

  private final BeanManager beanManager;
  private final StripeEventsExtension extension;
  private final Map<String, jakarta.enterprise.event.Event<Object>> byType =
      new ConcurrentHashMap<>();

  CdiEventDispatcher(BeanManager beanManager, StripeEventsExtension extension) {
    this.beanManager = beanManager;
    this.extension = extension;
  }

  /** The dispatcher of the running CDI container, or null when none runs or nobody observes. */
  static CdiEventDispatcher current() {
    BeanManager beanManager;
    try {
      beanManager = CDI.current().getBeanManager();
    } catch (IllegalStateException e) {
      return null; // no CDI container for this application
    }
    StripeEventsExtension extension;
    try {
      extension = beanManager.getExtension(StripeEventsExtension.class);
    } catch (IllegalArgumentException e) {
      return null; // the extension is not deployed (another class loader, or disabled)
    }
    return extension.hasObservers() ? new CdiEventDispatcher(beanManager, extension) : null;
  }

  /** Fires to the running container's observers, or null when no container runs. */
  static java.util.function.Consumer<Object> eventsOfCurrent() {
    try {
      BeanManager beanManager = CDI.current().getBeanManager();
      return event -> beanManager.getEvent().fire(event);
    } catch (IllegalStateException e) {
      return null;
    }
  }

  /** The observed patterns ({@code *} when an observer takes every event): who wants what. */
  @Override
  public Set<String> eventTypes() {
    return extension.observedTypes();
  }

  /**
   * Fires to the observers with a request context active: a worker thread (async processing, a
   * replay, a recovery) has none of its own, and observers commonly use request-scoped beans.
   */
  @Override
  public void handle(VerifiedEvent event) throws Exception {
    RequestContextController requestContext =
        beanManager.createInstance().select(RequestContextController.class).get();
    boolean activated = requestContext.activate();
    try {
      fireAll(event);
    } finally {
      if (activated) {
        requestContext.deactivate();
      }
    }
  }

  private void fireAll(VerifiedEvent event) throws Exception {
    jakarta.enterprise.event.Event<Object> events = byType.get(event.type());
    if (events == null) {
      events = beanManager.getEvent().select(extension.qualifiersFor(event.type()));
      if (byType.size() < MAX_CACHED_TYPES) {
        byType.put(event.type(), events);
      }
    }
    fire(events, Payload.VERIFIED_EVENT, () -> event);
    if (event.isThin()) {
      fire(events, Payload.NOTIFICATION, event::eventNotification);
      if (event.fetchesSnapshot()) {
        // stripe.webhook.thin-events=fetch: observers of v1 types get the related object, fetched.
        fire(events, Payload.DATA_OBJECT, event::dataObject);
      }
    } else {
      fire(events, Payload.EVENT, event::event);
      fire(events, Payload.DATA_OBJECT, event::dataObject);
    }
  }

  private void fire(
      jakarta.enterprise.event.Event<Object> events, Payload kind, Supplier<Object> payload)
      throws Exception {
    boolean sync = extension.observesSync(kind);
    boolean async = extension.observesAsync(kind);
    if (!sync && !async) {
      return;
    }
    Object value = payload.get();
    if (sync) {
      try {
        events.fire(value);
      } catch (ObserverException e) {
        // CDI wraps checked exceptions of observers; report what the observer threw.
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
    if (async) {
      events
          .fireAsync(value)
          .exceptionally(
              failure -> {
                LOG.log(
                    Level.ERROR,
                    "An asynchronous observer of "
                        + value.getClass().getSimpleName()
                        + " failed: "
                        + failure);
                return null;
              });
    }
  }

  @Override
  public String toString() {
    return "CDI observers of " + extension.observedTypes();
  }
}
