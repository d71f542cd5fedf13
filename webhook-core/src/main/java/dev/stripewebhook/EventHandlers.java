// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable set of {@link StripeEventHandler}s, and the dispatch of an event to those whose type
 * patterns match it, in registration order.
 *
 * <pre>{@code
 * EventHandlers handlers = EventHandlers.builder()
 *     .add(new InvoiceHandler())
 *     .loadServices(Thread.currentThread().getContextClassLoader())
 *     .build();
 * }</pre>
 *
 * <p>Thread safe.
 *
 * @since 0.1
 */
public final class EventHandlers {
  private static final int MAX_CACHED_TYPES = 1024;

  private final List<Registration> registrations;
  private final Map<String, List<StripeEventHandler>> byType = new ConcurrentHashMap<>();

  private EventHandlers(List<Registration> registrations) {
    this.registrations = List.copyOf(registrations);
  }

  /** No handlers. */
  public static EventHandlers none() {
    return new EventHandlers(List.of());
  }

  /** The given handlers, in order. */
  public static EventHandlers of(StripeEventHandler... handlers) {
    Builder builder = builder();
    for (StripeEventHandler handler : handlers) {
      builder.add(handler);
    }
    return builder.build();
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether there are no handlers at all. */
  public boolean isEmpty() {
    return registrations.isEmpty();
  }

  /** All handlers, in registration order. */
  public List<StripeEventHandler> all() {
    return registrations.stream().map(Registration::handler).toList();
  }

  /** The handlers that want {@code type}, in registration order; empty when none does. */
  public List<StripeEventHandler> forType(String type) {
    List<StripeEventHandler> cached = byType.get(type);
    if (cached != null) {
      return cached;
    }
    List<StripeEventHandler> matching =
        registrations.stream()
            .filter(registration -> registration.wants(type))
            .map(Registration::handler)
            .toList();
    if (byType.size() < MAX_CACHED_TYPES) {
      byType.put(type, matching);
    }
    return matching;
  }

  /**
   * Runs the handlers that want the event's type, in order, stopping at the first that throws.
   *
   * @return how many handlers ran; 0 when none wants the type
   * @throws EventHandlerException naming the event and the handler that threw
   */
  public int dispatch(VerifiedEvent event) throws EventHandlerException {
    return dispatch(event, HandlingContext.none());
  }

  /**
   * Like {@link #dispatch(VerifiedEvent)}, calling {@link StripeEventHandler#handle(VerifiedEvent,
   * HandlingContext)} with {@code context}.
   */
  @SuppressWarnings("try") // the scope is entered for its effect, never named in the body
  public int dispatch(VerifiedEvent event, HandlingContext context) throws EventHandlerException {
    Objects.requireNonNull(context, "context == null");
    List<StripeEventHandler> handlers = forType(event.type());
    try (HandlingContext.Scope scope = HandlingContext.enter(context)) {
      for (StripeEventHandler handler : handlers) {
        try {
          handler.handle(event, context);
        } catch (Throwable e) {
          // Any Throwable, an Error too: it fails this event's attempt, and nothing else.
          throw new EventHandlerException(event, handler, e);
        }
      }
    }
    return handlers.size();
  }

  @Override
  public String toString() {
    return "EventHandlers" + registrations;
  }

  private record Registration(StripeEventHandler handler, List<String> patterns) {
    boolean wants(String type) {
      for (String pattern : patterns) {
        if (EventTypePattern.matches(pattern, type)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return handler.getClass().getName() + patterns;
    }
  }

  /** Collects handlers; not thread safe. */
  public static final class Builder {
    private final List<Registration> registrations = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a handler.
     *
     * @throws IllegalArgumentException when it names no type or an invalid pattern
     */
    public Builder add(StripeEventHandler handler) {
      Objects.requireNonNull(handler, "handler == null");
      Collection<String> types =
          Objects.requireNonNull(
              handler.eventTypes(),
              () -> handler.getClass().getName() + ".eventTypes() returned null");
      if (types.isEmpty()) {
        throw new IllegalArgumentException(
            handler.getClass().getName()
                + ".eventTypes() is"
                + " empty: name at least one type, or * for every event");
      }
      List<String> patterns =
          types.stream()
              .map(type -> EventTypePattern.check(type, handler.getClass().getName()))
              .toList();
      registrations.add(new Registration(handler, patterns));
      return this;
    }

    /** Adds the handlers in {@code handlers}, in iteration order. */
    public Builder addAll(Iterable<? extends StripeEventHandler> handlers) {
      for (StripeEventHandler handler : handlers) {
        add(handler);
      }
      return this;
    }

    /**
     * Adds the handlers {@link ServiceLoader} finds in {@code loader} ({@code
     * META-INF/services/dev.stripewebhook.StripeEventHandler}).
     */
    public Builder loadServices(ClassLoader loader) {
      return addAll(ServiceLoader.load(StripeEventHandler.class, loader));
    }

    /**
     * Instantiates and adds handlers by class name, with their public no-argument constructors.
     *
     * @throws IllegalArgumentException naming the class when one cannot be loaded or created
     */
    public Builder instantiate(Collection<String> classNames, ClassLoader loader) {
      for (String className : classNames) {
        add(newInstance(className, loader));
      }
      return this;
    }

    private static StripeEventHandler newInstance(String className, ClassLoader loader) {
      String key = WebhookConfig.Keys.HANDLERS;
      Class<?> type;
      try {
        type = Class.forName(className, true, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalArgumentException(
            key + ": handler class " + className + " cannot be loaded (" + e + ")", e);
      }
      if (!StripeEventHandler.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException(
            key + ": " + className + " does not implement " + StripeEventHandler.class.getName());
      }
      try {
        return (StripeEventHandler) type.getConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException(
            key
                + ": "
                + className
                + " cannot be created with a"
                + " public no-argument constructor ("
                + e
                + ")",
            e);
      }
    }

    /** The handlers collected so far. */
    public EventHandlers build() {
      return new EventHandlers(registrations);
    }
  }
}
