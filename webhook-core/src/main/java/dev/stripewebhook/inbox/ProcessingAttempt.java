// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.inbox.EventInbox.Outcome;
import java.time.Instant;

/**
 * One claim of an event for processing, as the inbox recorded it with the status change.
 *
 * @param number 1 for the event's first attempt, counting on across replays
 * @param owner who claimed it (the inbox's {@code lease_owner})
 * @param startedAt when it was claimed
 * @param finishedAt when it ended, or {@code null} while it runs
 * @param outcome {@link Outcome#DONE}, {@link Outcome#FAILED}, {@link Outcome#DEAD}, {@link
 *     Outcome#SUPERSEDED} (no handler ran), {@link Outcome#LEASE_LOST} (its lease ran out and
 *     another owner took the event over), or {@code null} while it runs
 * @param error what the handlers threw, or {@code null}
 * @since 0.1
 */
public record ProcessingAttempt(
    int number,
    String owner,
    Instant startedAt,
    Instant finishedAt,
    Outcome outcome,
    String error) {

  /** Whether the handlers ran (or run) in this attempt: every outcome but superseded. */
  public boolean ranHandlers() {
    return outcome != Outcome.SUPERSEDED;
  }
}
