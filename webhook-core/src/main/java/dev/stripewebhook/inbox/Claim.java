// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.inbox.EventInbox.Outcome;
import java.util.Objects;

/**
 * One claim of an event by an owner: the event as claimed, and whether it was dead before, which
 * decides how a failure of this attempt is recorded.
 */
final class Claim {
  final InboxRecord record;
  final String owner;
  final boolean wasDead;

  Claim(InboxRecord record, String owner, boolean wasDead) {
    this.record = record;
    this.owner = owner;
    this.wasDead = wasDead;
  }

  /**
   * Whether an event claimed now was dead before: it was, or it is a claim whose lease ran out and
   * that was already past the last allowed attempt (a dead event taken by a delivery whose holder
   * then crashed). An expired claim within the allowed attempts was not dead: its failure may be
   * the one that makes it so.
   */
  static boolean wasDead(InboxStatus before, int attemptsBefore, int allowed) {
    return before == InboxStatus.DEAD
        || (before == InboxStatus.PROCESSING && attemptsBefore > allowed);
  }

  /** What identifies a claim within one inbox: the event and its owner. */
  record Key(String eventId, String owner) {
    // Written out, as the record's would be: its generated ones run through method handles, which
    // showed in the filter's profile (lease lookups on every delivery). ClaimKeyTest holds them to
    // the record's meaning.
    @Override
    public boolean equals(Object other) {
      return other instanceof Key key
          && Objects.equals(eventId, key.eventId)
          && Objects.equals(owner, key.owner);
    }

    @Override
    public int hashCode() {
      return 31 * Objects.hashCode(eventId) + Objects.hashCode(owner);
    }
  }

  Key key() {
    return new Key(record.eventId(), owner);
  }

  String eventId() {
    return record.eventId();
  }

  /** The status a failure of this attempt leaves: dead after the last allowed attempt, or so. */
  InboxStatus failedStatus(int allowed) {
    return wasDead || record.attempts() >= allowed ? InboxStatus.DEAD : InboxStatus.FAILED;
  }

  /**
   * What a failure of this attempt returns: {@link Outcome#DEAD} only from the attempt that makes
   * the event dead, so that whoever counts dead events on it counts each once.
   */
  Outcome failedOutcome(int allowed) {
    return !wasDead && failedStatus(allowed) == InboxStatus.DEAD ? Outcome.DEAD : Outcome.FAILED;
  }
}
