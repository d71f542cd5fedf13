// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.util.List;
import java.util.Optional;

/**
 * One page of {@link EventInbox#list}, newest first.
 *
 * @param events at most the query's limit
 * @param next the cursor of the following page ({@link EventQuery.Builder#after}), or {@code null}
 *     on the last page
 * @since 0.1
 */
public record EventPage(List<EventSummary> events, String next) {

  /** A page of these events. */
  public EventPage {
    events = List.copyOf(events);
  }

  /** The cursor of the following page, if there is one. */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(next);
  }
}
