// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.time.Instant;

/**
 * One event as a list shows it: its envelope and processing state, without its body or its delivery
 * headers.
 *
 * @param endpoint the endpoint it was delivered to
 * @param eventId the event id, {@code evt_...}
 * @param type the event type
 * @param livemode whether it is a live-mode event, or {@code null} when the payload does not say
 * @param account the connected account, or {@code null}
 * @param dataObjectId the id of the object the event is about, or {@code null}
 * @param created when Stripe created the event, or {@code null}
 * @param receivedAt when the first delivery was stored
 * @param status where it stands
 * @param attempts how many times it was claimed since it was stored or last replayed
 * @param lastError what the last failed attempt threw, or {@code null}
 * @param handledAt when it became done, superseded or resolved, or {@code null}
 * @since 0.1
 */
public record EventSummary(
    String endpoint,
    String eventId,
    String type,
    Boolean livemode,
    String account,
    String dataObjectId,
    Instant created,
    Instant receivedAt,
    InboxStatus status,
    int attempts,
    String lastError,
    Instant handledAt) {}
