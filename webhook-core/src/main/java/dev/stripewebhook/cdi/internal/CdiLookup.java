// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cdi.internal;

import dev.stripewebhook.StripeEventHandler;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the CDI observers of Stripe events without loading any CDI type unless the CDI API is
 * there: this class names none, so servlet containers without CDI never load one.
 *
 * <p>Not API: may change in any release.
 */
public final class CdiLookup {
  private CdiLookup() {}

  /** A handler that fires to the CDI observers, when a CDI container runs and someone observes. */
  public static Optional<StripeEventHandler> observers(ClassLoader loader) {
    try {
      Class.forName("jakarta.enterprise.inject.spi.CDI", false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.empty();
    }
    return Optional.ofNullable(CdiEventDispatcher.current());
  }

  /** Fires objects as CDI events (to every observer of their type), when a container runs. */
  public static Optional<Consumer<Object>> events(ClassLoader loader) {
    try {
      Class.forName("jakarta.enterprise.inject.spi.CDI", false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.empty();
    }
    return Optional.ofNullable(CdiEventDispatcher.eventsOfCurrent());
  }
}
