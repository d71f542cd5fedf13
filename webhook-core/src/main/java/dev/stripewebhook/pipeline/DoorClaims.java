// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.LogText;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InboxException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * The claims an endpoint handed to doors whose processing runs between {@link
 * WebhookEndpoint#admit} and {@link WebhookEndpoint#complete}. A claim is renewed while held, so a
 * door that never completes (its response filter did not run) would hold its event for ever: claims
 * held longer than the limit are failed, so that a redelivery runs the event. Stripe itself gives
 * up waiting for an answer long before.
 */
final class DoorClaims implements AutoCloseable {
  /** How long a door's processing may hold a claim by default: 10 minutes. */
  static final Duration LIMIT = Duration.ofMinutes(10);

  private static final System.Logger LOG = System.getLogger(WebhookEndpoint.class.getName());

  private final EventInbox inbox;
  private final Duration limit;
  private final String label;
  private final Map<String, Held> held = new ConcurrentHashMap<>(); // by owner
  private volatile ScheduledFuture<?> sweep;

  private record Held(String eventId, long since) {}

  DoorClaims(EventInbox inbox, Duration limit, String label) {
    this.inbox = inbox;
    this.limit = limit;
    this.label = label;
  }

  Duration limit() {
    return limit;
  }

  /** Keeps the claim of {@code owner} on {@code eventId} until {@link #release}. */
  void hold(String owner, String eventId) {
    held.put(owner, new Held(eventId, System.nanoTime()));
    if (sweep == null) {
      synchronized (this) {
        if (sweep == null) {
          sweep = SharedTimer.every(this::sweep, 10);
        }
      }
    }
  }

  /** Ends the hold of {@code owner}; false when the claim was failed for being held too long. */
  boolean release(String owner) {
    return held.remove(owner) != null;
  }

  /** Fails the claims held longer than the limit. */
  void sweep() {
    long now = System.nanoTime();
    for (Map.Entry<String, Held> entry : held.entrySet()) {
      Held claim = entry.getValue();
      if (now - claim.since() < limit.toNanos() || !held.remove(entry.getKey(), claim)) {
        continue;
      }
      LOG.log(
          Level.WARNING,
          "{0}: the processing of Stripe event {1} behind the door did not"
              + " complete within {2} s; its attempt is failed so that a redelivery runs it",
          label,
          LogText.escape(claim.eventId()),
          limit.toSeconds());
      try {
        inbox.finish(
            claim.eventId(),
            entry.getKey(),
            new ProcessingFailure(
                "the processing behind" + " the door did not complete within " + limit, null));
      } catch (InboxException | RuntimeException e) {
        LOG.log(
            Level.WARNING,
            label + ": " + LogText.escape(e.getMessage()) + "; its lease runs out instead");
      }
    }
  }

  @Override
  public void close() {
    if (sweep != null) {
      sweep.cancel(false);
    }
  }
}
