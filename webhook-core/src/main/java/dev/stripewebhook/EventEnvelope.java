// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Instant;

/**
 * The few fields of an event that routing, deduplication and storage need, read with one scan over
 * the body's bytes and without building stripe-java's object tree.
 *
 * <p>Snapshot events ({@code "object": "event"}) give {@code data.object.id} and the object's type
 * ({@code data.object.object}); thin event notifications ({@code "object": "v2.core.event"}) give
 * {@code related_object.id} and their account from {@code context}.
 *
 * <p>Not API: may change in any release.
 *
 * @param id the event id, {@code evt_...}
 * @param object {@code event} or {@code v2.core.event}
 * @param type the event type, {@code invoice.paid}
 * @param created when Stripe created the event, or {@code null} when absent
 * @param livemode whether it is a live-mode event, or {@code null} when absent
 * @param account the connected account, or {@code null}
 * @param apiVersion the API version the payload is rendered in, or {@code null}
 * @param dataObjectId the id of the object the event is about, or {@code null}
 * @param dataObjectType what that object is ({@code data.object.object}: {@code invoice}...), or
 *     {@code null}; always {@code null} for a thin event
 */
public record EventEnvelope(
    String id,
    String object,
    String type,
    Instant created,
    Boolean livemode,
    String account,
    String apiVersion,
    String dataObjectId,
    String dataObjectType) {

  /** The {@code object} value of a snapshot (v1) event. */
  public static final String SNAPSHOT = "event";

  /** The {@code object} value of a thin event notification. */
  public static final String THIN = "v2.core.event";

  /** Whether this is a thin event notification. */
  public boolean thin() {
    return THIN.equals(object);
  }

  /**
   * Reads the envelope of a verified body, scanning its bytes once: only the members above are
   * decoded, every other value is checked and stepped over.
   *
   * @throws WebhookVerificationException {@code MALFORMED_PAYLOAD} when the body is not one JSON
   *     object, or not a Stripe event with an {@code id} and a {@code type}
   */
  public static EventEnvelope read(byte[] body) throws WebhookVerificationException {
    return EnvelopeReader.read(body);
  }

  /**
   * Peeks at {@code livemode} in a body that did not verify, for an error message only: never trust
   * it. Returns {@code null} when it cannot be read.
   */
  public static Boolean peekLivemode(byte[] body) {
    return EnvelopeReader.peekLivemode(body);
  }
}
