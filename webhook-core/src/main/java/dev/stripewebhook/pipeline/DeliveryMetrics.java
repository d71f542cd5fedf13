// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.inbox.EventInbox;
import java.time.Clock;

/**
 * What an endpoint counts and times (not API: may change in any release). Recorded through
 * Micrometer when the application has it ({@link MicrometerDeliveryMetrics}); nothing otherwise,
 * and no Micrometer class is loaded.
 */
interface DeliveryMetrics {
  /** Records nothing. */
  DeliveryMetrics NONE =
      new DeliveryMetrics() {
        @Override
        public void verification(long nanos) {}

        @Override
        public void delivery(boolean verified, int status, String outcome, long nanos) {}

        @Override
        public void handling(boolean succeeded, long nanos) {}
      };

  /** Adds gauges of this inbox's backlog; by default none. */
  default void watch(EventInbox inbox, Clock clock) {}

  /** One event failed its last allowed attempt and is now dead. */
  default void dead() {}

  /** One delivery refused for its address carried a valid signature. */
  default void signedOutsideAllowList() {}

  /**
   * One fetch of a thin event's related object for snapshot-typed code ({@code
   * stripe.webhook.thin-events=fetch}): whether it succeeded, how long it took.
   */
  default void thinEventFetch(boolean succeeded, long nanos) {}

  /** How long reading and verifying one delivery took. */
  void verification(long nanos);

  /** One delivery, as answered: verified or not, the status, the reason code or outcome. */
  void delivery(boolean verified, int status, String outcome, long nanos);

  /** How long the handlers and observers took on one event that at least one of them wanted. */
  void handling(boolean succeeded, long nanos);

  /**
   * Micrometer metrics in {@code registry} (a {@code MeterRegistry}), or in Micrometer's global
   * registry when it is null, if Micrometer is on the class path; otherwise {@link #NONE}.
   */
  static DeliveryMetrics find(Object registry, ClassLoader loader) {
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return NONE;
    }
    return MicrometerDeliveryMetrics.create(registry);
  }
}
