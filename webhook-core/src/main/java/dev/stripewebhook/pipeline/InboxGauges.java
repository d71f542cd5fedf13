// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InboxBacklog;
import dev.stripewebhook.inbox.InboxException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The inbox's backlog as gauges read it: one query at most every {@link #MAX_STALENESS} of the
 * clock, however often the registry is scraped (with JDBC, each read is a query). The age is
 * computed at each read from the cached oldest arrival. While the inbox is unavailable the gauges
 * read NaN.
 */
final class InboxGauges {
  private static final System.Logger LOG = System.getLogger(InboxGauges.class.getName());
  static final Duration MAX_STALENESS = Duration.ofSeconds(1);

  private final EventInbox inbox;
  private final Clock clock;
  private InboxBacklog last; // guarded by this
  private Instant readAt; // guarded by this

  InboxGauges(EventInbox inbox, Clock clock) {
    this.inbox = inbox;
    this.clock = clock;
  }

  /** How many events wait, or NaN when the inbox cannot tell. */
  double events() {
    InboxBacklog backlog = backlog();
    return backlog == null ? Double.NaN : backlog.events();
  }

  /** Seconds the oldest waiting event has waited, 0 when none waits, NaN when unknown. */
  double oldestAgeSeconds() {
    InboxBacklog backlog = backlog();
    if (backlog == null) {
      return Double.NaN;
    }
    return backlog
        .oldestAge(clock.instant())
        .map(age -> Math.max(0, age.toMillis()) / 1000.0)
        .orElse(0.0);
  }

  private synchronized InboxBacklog backlog() {
    Instant now = clock.instant();
    // A clock set back (a wall clock corrected) reads again rather than keep a stale value.
    if (last == null || now.isBefore(readAt) || !now.isBefore(readAt.plus(MAX_STALENESS))) {
      try {
        last = inbox.backlog();
      } catch (InboxException | RuntimeException e) {
        LOG.log(Level.DEBUG, "Inbox gauges: " + e.getMessage());
        last = null;
      }
      readAt = now;
    }
    return last;
  }
}
