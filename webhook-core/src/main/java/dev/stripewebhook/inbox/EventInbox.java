// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.VerifiedEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where every verified event is recorded, by {@code event.id}, before it is handled, so that it is
 * handled once and never lost.
 *
 * <p>The rules every implementation keeps:
 *
 * <ul>
 *   <li>An event becomes {@link InboxStatus#DONE} only after its work succeeded; once done, it is
 *       never processed again ({@link Outcome#ALREADY_DONE}).
 *   <li>Processing starts with a claim: a lease held by one owner until a deadline, which the inbox
 *       renews every {@link InboxOptions#lease() lease}/3 until the event is finished (for work
 *       that takes longer than a lease, and for the events of a batch waiting their turn). While a
 *       lease holds, nobody else processes the event ({@link Outcome#BUSY}); when it runs out (the
 *       holder crashed, or its process stood still longer than a lease), another owner may take the
 *       event over, and the late owner's "done" mark is refused ({@link Outcome#LEASE_LOST}).
 *   <li>A failed attempt records the error and a next attempt time (exponential backoff with
 *       jitter); after {@link InboxOptions#attempts()} attempts the event is {@link
 *       InboxStatus#DEAD}, kept until {@link #replay replayed}.
 *   <li>With the JDBC inbox, work that writes through {@link HandlingContext#connection()} commits
 *       in the transaction that marks the event done: exactly once. Work that calls other systems
 *       is at least once (a crash between the call and the mark repeats it): it should pass {@code
 *       event.id} to them as an idempotency key.
 * </ul>
 *
 * <p>An inbox serves one {@link #endpoint() endpoint}: it stores and sees only that endpoint's
 * events, so that several endpoints share one database, and the same event id may be stored once
 * per endpoint.
 *
 * <p>Implementations are thread safe. Every method may throw {@link InboxException} when the
 * storage is unavailable.
 *
 * @since 0.1
 */
public interface EventInbox {

  /** What {@link #receive} found. */
  enum Receipt {
    /** First delivery: stored now. */
    NEW,
    /** Stored before and not finished: received, processing, failed or dead. */
    PENDING,
    /** Stored before and finished (done, superseded or resolved): nothing more to do. */
    DONE
  }

  /** What {@link #process} did. */
  enum Outcome {
    /** The work succeeded and the event is done. */
    DONE,
    /**
     * The work failed; the event will be tried again, or, when it was dead before this attempt (a
     * delivery may claim a dead event), it stays dead.
     */
    FAILED,
    /**
     * The work failed for the last allowed time and this attempt made the event dead: returned once
     * per event (until it is replayed), so it may be counted.
     */
    DEAD,
    /** Skipped by the ordering guard. */
    SUPERSEDED,
    /** Nothing run: the event was already done, superseded or resolved. */
    ALREADY_DONE,
    /** Nothing run: another owner holds the event's lease. */
    BUSY,
    /** The work ran but the lease had run out and another owner took the event over. */
    LEASE_LOST,
    /** Nothing run: no such event in the inbox. */
    UNKNOWN
  }

  /** The processing of one claimed event. */
  @FunctionalInterface
  interface Work {
    /**
     * Processes the event. Whatever it throws, {@link Error}s included, fails this attempt and
     * nothing else: the inbox records it and never lets it escape.
     *
     * @param context with the JDBC inbox, the transaction that will mark the event done
     * @throws Exception to fail this attempt
     */
    void run(InboxRecord record, HandlingContext context) throws Exception;
  }

  /** The name of the endpoint whose events this inbox holds ({@link InboxOptions#endpoint()}). */
  String endpoint();

  /**
   * Stores a verified delivery unless its event id is already stored. Returns once the event is
   * durably stored (JDBC: committed).
   *
   * @param signatureHeader the {@code Stripe-Signature} header, kept to verify the body again
   * @param clientAddress the client's address, or {@code null}
   */
  Receipt receive(VerifiedEvent event, String signatureHeader, String clientAddress)
      throws InboxException;

  /**
   * Stores a delivery as {@link #receive(VerifiedEvent, String, String)} does and, when it is new,
   * may store it already claimed by {@code owner}, as {@link #process} claims it (one attempt
   * started, the lease renewed until the event is finished), so that {@code owner} runs it next
   * without another round trip to the storage. Only then, {@link #process process(event.id(),
   * owner, work)}, {@link #claim claim(event.id(), owner)} or {@link #finish finish(event.id(),
   * owner, ...)} must follow: the claim is renewed until one of them finishes it. A crash before
   * that loses nothing: the lease runs out and another owner takes the event over.
   *
   * <p>The default stores it unclaimed, and {@code process} claims it.
   *
   * @param owner who processes the event next, as in {@link #process}
   */
  default Receipt receive(
      VerifiedEvent event, String signatureHeader, String clientAddress, String owner)
      throws InboxException {
    return receive(event, signatureHeader, clientAddress);
  }

  /**
   * Claims one event and runs {@code work} on it, for a delivery being answered now: the event is
   * claimed whatever its next attempt time, and even when dead, because Stripe's redelivery is
   * itself the retry. Marks the event done, failed or dead by the result; a dead event that fails
   * again stays dead and returns {@link Outcome#FAILED}. When {@code owner} holds the event's claim
   * already (taken by {@link #receive(VerifiedEvent, String, String, String) receive}), runs {@code
   * work} in that claim.
   */
  Outcome process(String eventId, String owner, Work work) throws InboxException;

  /**
   * Processes each of {@code eventIds} as {@link #process} does, in order: together, where the
   * storage allows, for the events {@code owner} claimed on {@link #receive(VerifiedEvent, String,
   * String, String) arrival} (JDBC: one transaction marks them, or several when their work is slow;
   * the work of each in a savepoint of its own, so that a failing event's writes through {@link
   * HandlingContext#connection()} roll back alone; a storage failure leaves the events not yet
   * committed unmarked, and their leases run out).
   *
   * @return the outcome of each, in the order of {@code eventIds}
   */
  default List<Outcome> processClaimed(List<String> eventIds, String owner, Work work)
      throws InboxException {
    List<Outcome> outcomes = new java.util.ArrayList<>(eventIds.size());
    InboxException failed = null;
    for (String eventId : eventIds) {
      try {
        outcomes.add(process(eventId, owner, work));
      } catch (InboxException e) { // the others still run: a claim left unfinished is renewed
        failed = failed == null ? e : failed;
      }
    }
    if (failed != null) {
      throw failed;
    }
    return outcomes;
  }

  /**
   * Claims one event for a delivery being answered now, as {@link #process} does, for a door whose
   * processing runs outside this call (a JAX-RS resource method runs between a request filter,
   * which claims, and a response filter, which {@link #finish finishes}). The same rules as {@code
   * process}: any unfinished status may be claimed, dead included, and a processing one whose lease
   * ran out. With the ordering guard on, an event older than one already applied for the same
   * object is finished now as superseded instead, and not claimed.
   *
   * <p>An event stored claimed by {@code owner} ({@link #receive(VerifiedEvent, String, String,
   * String)}) is that claim, taken over as it is.
   *
   * <p>The claim holds until {@link #finish}: every claim must be finished, failed or not.
   *
   * @return the event as claimed; empty when it is unknown, finished (done, superseded or resolved)
   *     or held by another owner: {@link #find} tells those apart
   */
  Optional<InboxRecord> claim(String eventId, String owner) throws InboxException;

  /**
   * Ends a claim {@code owner} took with {@link #claim}: with no {@code failure}, marks the event
   * done; with one, records it as {@link #process} records a failure of its work (failed, or dead
   * after the last allowed attempt; a dead event stays dead and returns {@link Outcome#FAILED}).
   *
   * <p>Work done between the claim and this call does not join the transaction of the done mark, as
   * {@link HandlingContext#connection()} does within {@code process}: it is at least once (a crash
   * before this call repeats it), so it should pass {@code event.id} to other systems as an
   * idempotency key.
   *
   * @param failure what the work threw, or {@code null} when it succeeded
   * @return {@link Outcome#DONE}, {@link Outcome#FAILED} or {@link Outcome#DEAD}; {@link
   *     Outcome#LEASE_LOST} when {@code owner} no longer holds the event (its lease ran out and
   *     another owner took it over, or it was finished already)
   */
  Outcome finish(String eventId, String owner, Throwable failure) throws InboxException;

  /**
   * Claims up to {@code limit} events whose next attempt time has come (or whose lease has run out)
   * and runs {@code work} on each, in the calling thread. Several owners calling this at once claim
   * disjoint events. A failure of one event's work, whatever it throws, fails that event's attempt
   * only: the others of the batch still run.
   *
   * @return how many events were claimed
   */
  int processDue(String owner, int limit, Work work) throws InboxException;

  /** The stored event, if any. */
  Optional<InboxRecord> find(String eventId) throws InboxException;

  /**
   * Makes a failed or dead event due again now, with its attempts reset (its {@link #attempts
   * history} is kept).
   *
   * @return whether the event was failed or dead
   */
  boolean replay(String eventId) throws InboxException;

  /**
   * Closes a failed or dead event without running its handlers: an operator dealt with it by other
   * means. It becomes {@link InboxStatus#RESOLVED}, final, and is pruned like a done one.
   *
   * @return whether the event was failed or dead
   */
  boolean resolve(String eventId) throws InboxException;

  /**
   * Deletes done, superseded and resolved events handled longer ago than {@link
   * InboxOptions#retention()}, with their attempt history; failed and dead ones are kept.
   *
   * @return how many were deleted
   */
  int prune() throws InboxException;

  /**
   * One page of the stored events that pass the query's filters, newest first ({@code received_at},
   * then {@code event_id}, descending), without their bodies. Pages are by position: following
   * {@link EventPage#next()} until it is null visits each event that stays stored exactly once.
   */
  EventPage list(EventQuery query) throws InboxException;

  /** How many events each status holds; every status is a key, with 0 when it holds none. */
  Map<InboxStatus, Long> countByStatus() throws InboxException;

  /** The received, processing and failed events: how many, and the oldest one's arrival. */
  InboxBacklog backlog() throws InboxException;

  /**
   * The stored events about the object {@code dataObjectId} ({@code data.object.id}), in the order
   * Stripe created them (then by arrival), at most {@code limit}.
   */
  List<EventSummary> aboutObject(String dataObjectId, int limit) throws InboxException;

  /** The processing attempts of an event, oldest first; empty for an unknown event. */
  List<ProcessingAttempt> attempts(String eventId) throws InboxException;
}
