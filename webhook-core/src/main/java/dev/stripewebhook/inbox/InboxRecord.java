// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookVerificationException;
import java.time.Instant;

/**
 * One event in the inbox, as stored: its envelope, the delivery exactly as received (body bytes and
 * {@code Stripe-Signature} header, so that it can be verified again), and its processing state.
 *
 * @param endpoint the endpoint it was delivered to: with the event id, the key
 * @param eventId the event id, {@code evt_...}
 * @param type the event type
 * @param livemode whether it is a live-mode event, or {@code null} when the payload does not say
 * @param account the connected account, or {@code null}
 * @param apiVersion the API version of the payload, or {@code null}
 * @param dataObjectId the id of the object the event is about, or {@code null}
 * @param created when Stripe created the event, or {@code null}
 * @param receivedAt when the first delivery was stored
 * @param body the body exactly as received
 * @param signatureHeader the {@code Stripe-Signature} header of the first delivery
 * @param clientAddress the client address of the first delivery, or {@code null}
 * @param status where it stands
 * @param attempts how many times it was claimed for processing
 * @param lastError what the last failed attempt threw, or {@code null}
 * @param nextAttemptAt when a worker may next claim it
 * @param leaseOwner who holds it while {@code PROCESSING}, or {@code null}
 * @param leaseUntil until when that owner holds it, or {@code null}
 * @param handledAt when it became done or superseded, or {@code null}
 * @since 0.1
 */
public record InboxRecord(
    String endpoint,
    String eventId,
    String type,
    Boolean livemode,
    String account,
    String apiVersion,
    String dataObjectId,
    Instant created,
    Instant receivedAt,
    byte[] body,
    String signatureHeader,
    String clientAddress,
    InboxStatus status,
    int attempts,
    String lastError,
    Instant nextAttemptAt,
    String leaseOwner,
    Instant leaseUntil,
    Instant handledAt) {

  /** A copy of the body. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body itself, for the inbox to store without another copy; never handed out. */
  byte[] heldBody() {
    return body;
  }

  /**
   * The stored delivery verified again with {@code verifier}, as the workers and a replay do before
   * running handlers on it.
   *
   * @throws IllegalStateException when it no longer verifies, naming the reason (usually: the
   *     secret it was signed with has been removed from the configuration)
   */
  public VerifiedEvent verifyAgain(SignatureVerifier verifier) {
    try {
      return verifier.verifyStored(body, signatureHeader);
    } catch (WebhookVerificationException e) {
      throw new IllegalStateException(
          "Stored event "
              + eventId
              + " no longer verifies ("
              + e.reason().code()
              + "): was the secret it was signed with removed?",
          e);
    }
  }

  /** Describes the record without its body or signature. */
  @Override
  public String toString() {
    return "InboxRecord["
        + eventId
        + ", "
        + type
        + ", "
        + status.code()
        + ", attempts="
        + attempts
        + "]";
  }
}
