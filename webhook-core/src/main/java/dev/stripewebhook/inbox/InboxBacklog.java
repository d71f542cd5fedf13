// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The events still waiting for their handlers to succeed: received, processing or failed (dead ones
 * wait for an operator instead, and are not counted).
 *
 * @param events how many
 * @param oldestReceivedAt when the oldest of them was stored, or {@code null} when there is none
 * @since 0.1
 */
public record InboxBacklog(long events, Instant oldestReceivedAt) {

  /** How long the oldest waiting event has waited at {@code now}; empty when none waits. */
  public Optional<Duration> oldestAge(Instant now) {
    return oldestReceivedAt == null
        ? Optional.empty()
        : Optional.of(Duration.between(oldestReceivedAt, now));
  }
}
