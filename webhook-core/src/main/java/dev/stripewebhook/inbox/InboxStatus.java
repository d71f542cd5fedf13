// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

/**
 * Where an event stands in the inbox. The {@link #code()} strings are what the {@code status}
 * column holds; they are stable.
 *
 * @since 0.1
 */
public enum InboxStatus {
  /** Stored, not yet processed. */
  RECEIVED("received"),
  /** Claimed by an owner whose lease has not yet run out. */
  PROCESSING("processing"),
  /** Its handlers succeeded; never processed again. */
  DONE("done"),
  /** Its handlers failed; retried at the next attempt time. */
  FAILED("failed"),
  /** Failed the configured number of times; kept until replayed. */
  DEAD("dead"),
  /** Skipped: a newer event about the same object was already applied (ordering guard). */
  SUPERSEDED("superseded"),
  /** Closed by an operator after it failed, without running its handlers; never processed again. */
  RESOLVED("resolved");

  private final String code;

  InboxStatus(String code) {
    this.code = code;
  }

  /** The stable lower-case name stored in the database. */
  public String code() {
    return code;
  }

  /** Whether the event is finished for good: done, superseded or resolved. */
  public boolean isFinal() {
    return this == DONE || this == SUPERSEDED || this == RESOLVED;
  }

  /** Whether the event still waits for its handlers to succeed: received, processing or failed. */
  public boolean isPending() {
    return this == RECEIVED || this == PROCESSING || this == FAILED;
  }

  /** The status stored as {@code code}. */
  public static InboxStatus fromCode(String code) {
    for (InboxStatus status : values()) {
      if (status.code.equals(code)) {
        return status;
      }
    }
    throw new IllegalArgumentException("unknown inbox status: " + code);
  }
}
