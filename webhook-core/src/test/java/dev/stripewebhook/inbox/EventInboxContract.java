// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.stripewebhook.LogCapture;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.EventInbox.Work;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link EventInbox} keeps, run against each implementation by a subclass. Time
 * comes from a {@link MutableClock}; nothing sleeps.
 */
abstract class EventInboxContract {
  static final Duration LEASE = Duration.ofMinutes(1);
  static final Duration RETRY_DELAY = Duration.ofSeconds(10);

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  /** A new, empty inbox with these options. */
  abstract EventInbox newInbox(InboxOptions options) throws Exception;

  /**
   * Another inbox with these options over the storage of {@link #newInbox}'s where inboxes can
   * share one (a database); otherwise a new inbox.
   */
  abstract EventInbox sharingStorage(InboxOptions options);

  InboxOptions.Builder options() {
    return InboxOptions.builder()
        .clock(clock)
        .lease(LEASE)
        .retryDelay(RETRY_DELAY)
        .maxRetryDelay(Duration.ofHours(1))
        .jitter(() -> 0.5);
  }

  EventInbox inbox;

  @BeforeEach
  void createInbox() throws Exception {
    inbox = newInbox(options().build());
  }

  Work counting() {
    return (record, context) ->
        runs.computeIfAbsent(record.eventId(), id -> new AtomicInteger()).incrementAndGet();
  }

  Work failing(String message) {
    return (record, context) -> {
      counting().run(record, context);
      throw new IllegalStateException(message);
    };
  }

  int runs(VerifiedEvent event) {
    AtomicInteger count = runs.get(event.id());
    return count == null ? 0 : count.get();
  }

  VerifiedEvent received(EventInbox target) throws InboxException {
    VerifiedEvent event = TestEvents.event("invoice.paid");
    assertThat(target.receive(event, TestEvents.header(event), "203.0.113.7"))
        .isEqualTo(Receipt.NEW);
    return event;
  }

  InboxRecord record(VerifiedEvent event) throws InboxException {
    return inbox.find(event.id()).orElseThrow();
  }

  // --- storing and deduplicating ------------------------------------------------------------

  @Test
  void storesTheEnvelopeTheExactBodyAndTheDelivery() throws Exception {
    VerifiedEvent event = TestEvents.about("sub_stored", 1_700_000_000L);
    String header = TestEvents.header(event);
    assertThat(inbox.receive(event, header, "203.0.113.7")).isEqualTo(Receipt.NEW);

    InboxRecord record = record(event);
    assertThat(record.eventId()).isEqualTo(event.id());
    assertThat(record.type()).isEqualTo("customer.subscription.updated");
    assertThat(record.livemode()).isFalse();
    assertThat(record.account()).isNull();
    assertThat(record.apiVersion()).isEqualTo(event.apiVersion().orElseThrow());
    assertThat(record.dataObjectId()).isEqualTo("sub_stored");
    assertThat(record.created()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
    assertThat(record.receivedAt()).isEqualTo(clock.instant());
    assertThat(record.body()).isEqualTo(event.body());
    assertThat(record.signatureHeader()).isEqualTo(header);
    assertThat(record.clientAddress()).isEqualTo("203.0.113.7");
    assertThat(record.status()).isEqualTo(InboxStatus.RECEIVED);
    assertThat(record.attempts()).isZero();
    assertThat(record.lastError()).isNull();
    assertThat(record.nextAttemptAt()).isEqualTo(clock.instant());
    assertThat(record.handledAt()).isNull();
  }

  @Test
  void answersDuplicateDeliveryAsPendingUntilDoneThenDone() throws Exception {
    VerifiedEvent event = received(inbox);
    assertThat(inbox.receive(event, TestEvents.header(event), null)).isEqualTo(Receipt.PENDING);

    assertThat(inbox.process(event.id(), "a", counting())).isEqualTo(Outcome.DONE);

    assertThat(inbox.receive(event, TestEvents.header(event), null)).isEqualTo(Receipt.DONE);
    assertThat(inbox.process(event.id(), "b", counting())).isEqualTo(Outcome.ALREADY_DONE);
    assertThat(runs(event)).isEqualTo(1);
    assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
    assertThat(record(event).handledAt()).isEqualTo(clock.instant());
  }

  @Test
  void processingAnUnknownEventRunsNothing() throws Exception {
    assertThat(inbox.process("evt_never_received", "a", counting())).isEqualTo(Outcome.UNKNOWN);
    assertThat(runs).isEmpty();
  }

  @Test
  void runsEachEventOnceUnderConcurrentDuplicateDeliveries() throws Exception {
    List<VerifiedEvent> events = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      events.add(TestEvents.event("payment_intent.succeeded"));
    }
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    inParallel(
        threads,
        t -> {
          String owner = "request-" + t;
          List<VerifiedEvent> order = new ArrayList<>(events);
          order.addAll(events); // each thread delivers each id twice
          Collections.shuffle(order);
          start.await();
          for (VerifiedEvent event : order) {
            inbox.receive(event, TestEvents.header(event), null);
            inbox.process(event.id(), owner, counting());
          }
        });
    for (VerifiedEvent event : events) {
      assertThat(runs(event)).as(event.id()).isEqualTo(1);
      assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
    }
  }

  // --- claims and leases --------------------------------------------------------------------

  @Test
  void anotherDeliveryWhileTheLeaseHoldsIsBusy() throws Exception {
    VerifiedEvent event = received(inbox);
    List<Outcome> inner = new ArrayList<>();
    Outcome outer =
        inbox.process(
            event.id(),
            "a",
            (record, context) -> {
              inner.add(inbox.process(event.id(), "b", counting()));
              counting().run(record, context);
            });
    assertThat(inner).containsExactly(Outcome.BUSY);
    assertThat(outer).isEqualTo(Outcome.DONE);
    assertThat(runs(event)).isEqualTo(1);
  }

  @Test
  void anotherOwnerTakesOverWhenTheLeaseRunsOutAndTheLateOwnerIsRefused() throws Exception {
    VerifiedEvent event = received(inbox);
    CountDownLatch takenOver = new CountDownLatch(1);
    CountDownLatch lateOwnerFinished = new CountDownLatch(1);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      List<Future<Integer>> started = new ArrayList<>();
      Outcome late =
          inbox.process(
              event.id(),
              "hung",
              (record, context) -> {
                holderStopsRenewing(inbox); // this owner's process hangs whole
                clock.advance(LEASE.plusSeconds(1));
                started.add(
                    other.submit(
                        () ->
                            inbox.processDue(
                                "healthy",
                                10,
                                (taken, c) -> {
                                  takenOver.countDown();
                                  lateOwnerFinished.await(30, TimeUnit.SECONDS);
                                  counting().run(taken, c);
                                })));
                assertThat(takenOver.await(30, TimeUnit.SECONDS)).isTrue();
              });
      lateOwnerFinished.countDown();

      assertThat(late).isEqualTo(Outcome.LEASE_LOST);
      assertThat(started.get(0).get(30, TimeUnit.SECONDS)).isEqualTo(1);
    } finally {
      other.shutdownNow();
    }
    InboxRecord record = record(event);
    assertThat(record.status()).isEqualTo(InboxStatus.DONE);
    assertThat(record.attempts()).isEqualTo(2);
    assertThat(runs(event)).isEqualTo(1);
  }

  @Test
  void twoOwnersClaimDisjointDueEvents() throws Exception {
    for (int i = 0; i < 10; i++) {
      received(inbox);
    }
    CyclicBarrier bothHoldClaims = new CyclicBarrier(2);
    Map<String, Set<String>> claimedBy = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (String owner : List.of("instance-1", "instance-2")) {
        Set<String> mine = ConcurrentHashMap.newKeySet();
        claimedBy.put(owner, mine);
        futures.add(
            pool.submit(
                () ->
                    inbox.processDue(
                        owner,
                        5,
                        (record, context) -> {
                          if (mine.isEmpty()) {
                            bothHoldClaims.await(
                                30, TimeUnit.SECONDS); // both claimed before either finishes
                          }
                          mine.add(record.eventId());
                        })));
      }
      assertThat(futures.get(0).get(60, TimeUnit.SECONDS)).isEqualTo(5);
      assertThat(futures.get(1).get(60, TimeUnit.SECONDS)).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
    assertThat(claimedBy.get("instance-1"))
        .hasSize(5)
        .doesNotContainAnyElementsOf(claimedBy.get("instance-2"));
  }

  @Test
  void manyOwnersDrainingTheSameInboxRunEachEventOnce() throws Exception {
    List<VerifiedEvent> events = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      events.add(received(inbox));
    }
    inParallel(
        4,
        t -> {
          while (inbox.processDue("worker-" + t, 3, counting()) > 0) {
            // drain
          }
        });
    for (VerifiedEvent event : events) {
      assertThat(runs(event)).as(event.id()).isEqualTo(1);
    }
  }

  // --- failures, retries, dead --------------------------------------------------------------

  @Test
  void failedAttemptRecordsTheErrorAndBacksOffExponentiallyWithJitter() throws Exception {
    VerifiedEvent event = received(inbox);
    Instant failedAt = clock.instant();
    assertThat(inbox.process(event.id(), "a", failing("ledger down"))).isEqualTo(Outcome.FAILED);

    InboxRecord first = record(event);
    assertThat(first.status()).isEqualTo(InboxStatus.FAILED);
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.lastError()).contains("ledger down");
    assertThat(first.leaseOwner()).isNull();
    // 10 s after the first failure, jittered to between 5 and 10 s; jitter 0.5 gives 7.5 s
    assertThat(first.nextAttemptAt()).isEqualTo(failedAt.plusMillis(7_500));

    assertThat(inbox.processDue("w", 10, counting())).isZero();
    clock.advance(Duration.ofMillis(7_500));
    assertThat(inbox.processDue("w", 10, failing("still down"))).isEqualTo(1);
    // 20 s after the second: 15 s with jitter 0.5
    assertThat(record(event).nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(15));
    assertThat(record(event).lastError()).contains("still down");
  }

  @Test
  void becomesDeadAfterTheLastAttemptAndReplayMakesItDueAgain() throws Exception {
    inbox = newInbox(options().attempts(3).build());
    VerifiedEvent event = received(inbox);
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      outcomes.add(inbox.process(event.id(), "a", failing("attempt " + (i + 1))));
      clock.advance(Duration.ofHours(2));
    }
    assertThat(outcomes).containsExactly(Outcome.FAILED, Outcome.FAILED, Outcome.DEAD);
    assertThat(record(event).status()).isEqualTo(InboxStatus.DEAD);
    assertThat(record(event).lastError()).contains("attempt 3");
    assertThat(inbox.processDue("w", 10, counting())).isZero();

    assertThat(inbox.replay(event.id())).isTrue();
    assertThat(record(event).attempts()).isZero();
    assertThat(inbox.processDue("w", 10, counting())).isEqualTo(1);
    assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
    assertThat(inbox.replay(event.id())).isFalse();
  }

  @Test
  void aNewDeliveryOfAFailedEventRetriesAtOnce() throws Exception {
    VerifiedEvent event = received(inbox);
    inbox.process(event.id(), "a", failing("first"));
    assertThat(inbox.process(event.id(), "b", counting())).isEqualTo(Outcome.DONE);
    assertThat(runs(event)).isEqualTo(2);
  }

  @Test
  void anErrorThrownByTheWorkFailsOnlyItsOwnEventAndTheRestOfTheBatchRuns() throws Exception {
    inbox = newInbox(options().attempts(2).build());
    VerifiedEvent assertion = received(inbox); // first of the batch: due first
    clock.advance(Duration.ofMillis(1));
    VerifiedEvent overflow = received(inbox);
    List<VerifiedEvent> others = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMillis(1));
      others.add(received(inbox));
    }
    Work work =
        (record, context) -> {
          if (record.eventId().equals(assertion.id())) {
            throw new AssertionError("handler assertion");
          }
          if (record.eventId().equals(overflow.id())) {
            throw new StackOverflowError();
          }
          counting().run(record, context);
        };

    assertThat(inbox.processDue("w", 10, work)).isEqualTo(5);

    for (VerifiedEvent event : others) {
      assertThat(record(event).status()).as(event.id()).isEqualTo(InboxStatus.DONE);
      assertThat(runs(event)).isEqualTo(1);
    }
    assertThat(record(assertion).status()).isEqualTo(InboxStatus.FAILED);
    assertThat(record(assertion).lastError())
        .isEqualTo("java.lang.AssertionError: handler assertion");
    assertThat(record(overflow).status()).isEqualTo(InboxStatus.FAILED);
    assertThat(record(overflow).lastError()).isEqualTo("java.lang.StackOverflowError");

    clock.advance(Duration.ofHours(2));
    assertThat(inbox.processDue("w", 10, work)).isEqualTo(2);
    for (VerifiedEvent poison : List.of(assertion, overflow)) {
      assertThat(record(poison).status()).isEqualTo(InboxStatus.DEAD);
      assertThat(record(poison).attempts()).isEqualTo(2);
      assertThat(inbox.attempts(poison.id()))
          .extracting(ProcessingAttempt::outcome)
          .containsExactly(Outcome.FAILED, Outcome.DEAD);
    }
    clock.advance(Duration.ofDays(1));
    assertThat(inbox.processDue("w", 10, work)).isZero();
  }

  @Test
  void processReturnsTheFailureOfAnErrorInsteadOfThrowingIt() throws Exception {
    inbox = newInbox(options().attempts(2).build());
    VerifiedEvent event = received(inbox);

    assertThat(
            inbox.process(
                event.id(),
                "a",
                (record, context) -> {
                  throw new AssertionError("expected ledger entry");
                }))
        .isEqualTo(Outcome.FAILED);
    assertThat(
            inbox.process(
                event.id(),
                "b",
                (record, context) -> {
                  throw new StackOverflowError();
                }))
        .isEqualTo(Outcome.DEAD);

    assertThat(record(event).status()).isEqualTo(InboxStatus.DEAD);
    assertThat(record(event).leaseOwner()).isNull();
    assertThat(record(event).lastError()).contains("StackOverflowError");
  }

  @Test
  void onlyTheAttemptThatMakesAnEventDeadReturnsDeadAndADeadEventFailingAgainStaysDead()
      throws Exception {
    inbox = newInbox(options().attempts(2).build());
    VerifiedEvent event = received(inbox);
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      outcomes.add(inbox.process(event.id(), "delivery-" + i, failing("poison " + i)));
      assertThat(record(event).status()).isEqualTo(i == 0 ? InboxStatus.FAILED : InboxStatus.DEAD);
    }
    assertThat(outcomes)
        .containsExactly(Outcome.FAILED, Outcome.DEAD, Outcome.FAILED, Outcome.FAILED);
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::outcome)
        .containsExactly(Outcome.FAILED, Outcome.DEAD, Outcome.FAILED, Outcome.FAILED);
    assertThat(record(event).lastError()).contains("poison 3");
    assertThat(inbox.processDue("w", 10, counting())).as("dead: not due").isZero();

    assertThat(inbox.process(event.id(), "fixed", counting())).isEqualTo(Outcome.DONE);
  }

  // --- ordering guard and retention ---------------------------------------------------------

  @Test
  void skipsAnEventOlderThanTheNewestAppliedForTheSameObject() throws Exception {
    inbox = newInbox(options().supersededGuard(true).build());
    VerifiedEvent newer = TestEvents.about("sub_guarded", 1_700_000_200L);
    VerifiedEvent older = TestEvents.about("sub_guarded", 1_700_000_100L);
    VerifiedEvent otherObject = TestEvents.about("sub_other", 1_700_000_000L);
    for (VerifiedEvent event : List.of(newer, older, otherObject)) {
      inbox.receive(event, TestEvents.header(event), null);
    }
    assertThat(inbox.process(newer.id(), "a", counting())).isEqualTo(Outcome.DONE);
    assertThat(inbox.process(older.id(), "a", counting())).isEqualTo(Outcome.SUPERSEDED);
    assertThat(inbox.process(otherObject.id(), "a", counting())).isEqualTo(Outcome.DONE);

    assertThat(runs(older)).isZero();
    assertThat(record(older).status()).isEqualTo(InboxStatus.SUPERSEDED);
    assertThat(inbox.receive(older, TestEvents.header(older), null)).isEqualTo(Receipt.DONE);
  }

  @Test
  void withoutTheGuardAnOlderEventIsStillApplied() throws Exception {
    VerifiedEvent newer = TestEvents.about("sub_unguarded", 1_700_000_200L);
    VerifiedEvent older = TestEvents.about("sub_unguarded", 1_700_000_100L);
    for (VerifiedEvent event : List.of(newer, older)) {
      inbox.receive(event, TestEvents.header(event), null);
      assertThat(inbox.process(event.id(), "a", counting())).isEqualTo(Outcome.DONE);
    }
  }

  @Test
  void prunesDoneEventsAfterTheRetentionAndKeepsFailedAndDeadOnes() throws Exception {
    inbox = newInbox(options().attempts(2).retention(Duration.ofDays(30)).build());
    VerifiedEvent done = received(inbox);
    VerifiedEvent failed = received(inbox);
    VerifiedEvent dead = received(inbox);
    inbox.process(done.id(), "a", counting());
    inbox.process(failed.id(), "a", failing("once"));
    inbox.process(dead.id(), "a", failing("poison"));
    inbox.process(dead.id(), "a", failing("poison"));
    clock.advance(Duration.ofDays(29));
    VerifiedEvent recent = received(inbox);
    inbox.process(recent.id(), "a", counting());

    assertThat(inbox.prune()).isZero();
    clock.advance(Duration.ofDays(2));
    assertThat(inbox.prune()).isEqualTo(1);

    assertThat(inbox.find(done.id())).isEmpty();
    assertThat(inbox.find(recent.id())).isPresent();
    assertThat(record(failed).status()).isEqualTo(InboxStatus.FAILED);
    assertThat(record(dead).status()).isEqualTo(InboxStatus.DEAD);
  }

  // --- queries: list, counts, backlog, same object, attempts ----------------------------------

  List<String> ids(EventPage page) {
    return page.events().stream().map(EventSummary::eventId).toList();
  }

  List<String> receivedOneSecondApart(int count, String type) throws InboxException {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      VerifiedEvent event = TestEvents.event(type);
      inbox.receive(event, TestEvents.header(event), null);
      ids.add(event.id());
      clock.advance(Duration.ofSeconds(1));
    }
    return ids;
  }

  @Test
  void listsNewestFirstAndPagesByCursorToTheLastPage() throws Exception {
    List<String> ids = receivedOneSecondApart(7, "invoice.paid");
    List<String> newestFirst = new ArrayList<>(ids);
    Collections.reverse(newestFirst);

    EventPage first = inbox.list(EventQuery.builder().limit(3).build());
    EventPage second = inbox.list(EventQuery.builder().limit(3).after(first.next()).build());
    EventPage third = inbox.list(EventQuery.builder().limit(3).after(second.next()).build());

    assertThat(ids(first)).isEqualTo(newestFirst.subList(0, 3));
    assertThat(ids(second)).isEqualTo(newestFirst.subList(3, 6));
    assertThat(ids(third)).isEqualTo(newestFirst.subList(6, 7));
    assertThat(third.next()).isNull();
    EventSummary summary = first.events().get(0);
    assertThat(summary.type()).isEqualTo("invoice.paid");
    assertThat(summary.status()).isEqualTo(InboxStatus.RECEIVED);
    assertThat(summary.receivedAt()).isEqualTo(clock.instant().minusSeconds(1));
  }

  @Test
  void aPageThatEndsExactlyAtTheLastEventHasNoNextCursor() throws Exception {
    receivedOneSecondApart(4, "invoice.paid");
    EventPage first = inbox.list(EventQuery.builder().limit(2).build());
    EventPage second = inbox.list(EventQuery.builder().limit(2).after(first.next()).build());
    assertThat(second.events()).hasSize(2);
    assertThat(second.next()).isNull();
  }

  @Test
  void pagingVisitsEventsReceivedAtTheSameInstantOnceEach() throws Exception {
    Set<String> stored = new java.util.HashSet<>();
    for (int i = 0; i < 9; i++) {
      stored.add(received(inbox).id()); // the clock stands still: one received_at
    }
    List<String> visited = new ArrayList<>();
    String cursor = null;
    do {
      EventPage page = inbox.list(EventQuery.builder().limit(2).after(cursor).build());
      visited.addAll(ids(page));
      cursor = page.next();
    } while (cursor != null);
    assertThat(visited).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(stored);
  }

  @Test
  void eventsStoredWhileBrowsingDoNotShiftTheNextPage() throws Exception {
    List<String> ids = receivedOneSecondApart(4, "invoice.paid");
    EventPage first = inbox.list(EventQuery.builder().limit(2).build());
    receivedOneSecondApart(3, "invoice.paid");

    EventPage second = inbox.list(EventQuery.builder().limit(2).after(first.next()).build());

    assertThat(ids(second)).containsExactly(ids.get(1), ids.get(0));
  }

  @Test
  void filtersByStatusTypeTimeRangeModeAndSearch() throws Exception {
    VerifiedEvent paid = TestEvents.event("invoice.paid");
    inbox.receive(paid, TestEvents.header(paid), null);
    clock.advance(Duration.ofMinutes(1));
    Instant middle = clock.instant();
    VerifiedEvent failed = TestEvents.event("charge.refunded");
    inbox.receive(failed, TestEvents.header(failed), null);
    inbox.process(failed.id(), "a", failing("refund ledger down"));
    clock.advance(Duration.ofMinutes(1));
    VerifiedEvent live = TestEvents.live("invoice.paid");
    inbox.receive(live, TestEvents.header(live), null);
    VerifiedEvent about = TestEvents.about("sub_searched", 1_700_000_000L);
    inbox.receive(about, TestEvents.header(about), null);

    assertThat(ids(inbox.list(EventQuery.builder().statuses(InboxStatus.FAILED).build())))
        .containsExactly(failed.id());
    assertThat(
            ids(
                inbox.list(
                    EventQuery.builder()
                        .statuses(InboxStatus.FAILED, InboxStatus.RECEIVED)
                        .build())))
        .hasSize(4);
    assertThat(ids(inbox.list(EventQuery.builder().type("invoice.paid").build())))
        .containsExactlyInAnyOrder(paid.id(), live.id());
    assertThat(ids(inbox.list(EventQuery.builder().received(middle, null).build())))
        .containsExactlyInAnyOrder(failed.id(), live.id(), about.id());
    assertThat(ids(inbox.list(EventQuery.builder().received(null, middle).build())))
        .containsExactly(paid.id());
    assertThat(ids(inbox.list(EventQuery.builder().livemode(true).build())))
        .containsExactly(live.id());
    assertThat(ids(inbox.list(EventQuery.builder().livemode(false).type("invoice.paid").build())))
        .containsExactly(paid.id());
    assertThat(ids(inbox.list(EventQuery.builder().search(paid.id()).build())))
        .containsExactly(paid.id());
    assertThat(ids(inbox.list(EventQuery.builder().search("sub_searched").build())))
        .containsExactly(about.id());
    assertThat(ids(inbox.list(EventQuery.builder().search("evt_nothing_like_it").build())))
        .isEmpty();
    EventSummary failedSummary =
        inbox.list(EventQuery.builder().search(failed.id()).build()).events().get(0);
    assertThat(failedSummary.attempts()).isEqualTo(1);
    assertThat(failedSummary.lastError()).contains("refund ledger down");
  }

  @Test
  void aCursorNotFromAPageIsRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> EventQuery.builder().after("bogus"));
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                EventQuery.builder()
                    .after(
                        java.util.Base64.getUrlEncoder().encodeToString("2:1:0:evt_x".getBytes())));
  }

  @Test
  void countsEventsByStatusAndTheBacklogWithItsOldestEvent() throws Exception {
    inbox = newInbox(options().attempts(1).build());
    assertThat(inbox.backlog()).isEqualTo(new InboxBacklog(0, null));
    Instant firstArrival = clock.instant();
    VerifiedEvent waiting = received(inbox);
    clock.advance(Duration.ofSeconds(30));
    VerifiedEvent done = received(inbox);
    VerifiedEvent dead = received(inbox);
    inbox.process(done.id(), "a", counting());
    inbox.process(dead.id(), "a", failing("poison"));
    clock.advance(Duration.ofSeconds(30));

    Map<InboxStatus, Long> counts = inbox.countByStatus();
    assertThat(counts)
        .containsEntry(InboxStatus.RECEIVED, 1L)
        .containsEntry(InboxStatus.DONE, 1L)
        .containsEntry(InboxStatus.DEAD, 1L)
        .containsEntry(InboxStatus.RESOLVED, 0L)
        .hasSize(InboxStatus.values().length);
    InboxBacklog backlog = inbox.backlog();
    assertThat(backlog.events()).isEqualTo(1);
    assertThat(backlog.oldestReceivedAt()).isEqualTo(firstArrival);
    assertThat(backlog.oldestAge(clock.instant())).contains(Duration.ofMinutes(1));

    inbox.process(waiting.id(), "a", counting());
    assertThat(inbox.backlog()).isEqualTo(new InboxBacklog(0, null));
  }

  @Test
  void listsTheEventsAboutOneObjectInTheOrderStripeCreatedThem() throws Exception {
    VerifiedEvent third = TestEvents.about("sub_story", 1_700_000_300L);
    VerifiedEvent first = TestEvents.about("sub_story", 1_700_000_100L);
    VerifiedEvent second = TestEvents.about("sub_story", 1_700_000_200L);
    VerifiedEvent other = TestEvents.about("sub_other_story", 1_700_000_150L);
    for (VerifiedEvent event : List.of(third, first, second, other)) {
      inbox.receive(event, TestEvents.header(event), null);
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(inbox.aboutObject("sub_story", 10))
        .extracting(EventSummary::eventId)
        .containsExactly(first.id(), second.id(), third.id());
    assertThat(inbox.aboutObject("sub_story", 2)).hasSize(2);
    assertThat(inbox.aboutObject("sub_nobody", 10)).isEmpty();
  }

  @Test
  void recordsEachAttemptWithItsOwnerOutcomeAndErrorNumberedOnAcrossReplays() throws Exception {
    inbox = newInbox(options().attempts(2).build());
    VerifiedEvent event = received(inbox);
    Instant start = clock.instant();
    inbox.process(event.id(), "first", failing("ledger down"));
    clock.advance(Duration.ofMinutes(5));
    inbox.process(event.id(), "second", failing("still down"));
    inbox.replay(event.id());
    clock.advance(Duration.ofMinutes(5));
    List<Boolean> runningDuringWork = new ArrayList<>();
    inbox.process(
        event.id(),
        "third",
        (record, context) ->
            runningDuringWork.add(inbox.attempts(event.id()).get(2).finishedAt() == null));

    List<ProcessingAttempt> attempts = inbox.attempts(event.id());
    assertThat(attempts).extracting(ProcessingAttempt::number).containsExactly(1, 2, 3);
    assertThat(attempts)
        .extracting(ProcessingAttempt::owner)
        .containsExactly("first", "second", "third");
    assertThat(attempts)
        .extracting(ProcessingAttempt::outcome)
        .containsExactly(Outcome.FAILED, Outcome.DEAD, Outcome.DONE);
    assertThat(attempts.get(0).error()).contains("ledger down");
    assertThat(attempts.get(1).error()).contains("still down");
    assertThat(attempts.get(2).error()).isNull();
    assertThat(attempts.get(0).startedAt()).isEqualTo(start);
    assertThat(attempts.get(2).finishedAt()).isEqualTo(clock.instant());
    assertThat(runningDuringWork).containsExactly(true);
    assertThat(inbox.attempts("evt_unknown")).isEmpty();
  }

  @Test
  void anAttemptWhoseLeaseRanOutIsRecordedAsLost() throws Exception {
    VerifiedEvent event = received(inbox);
    Outcome late =
        inbox.process(
            event.id(),
            "hung",
            (record, context) -> {
              holderStopsRenewing(inbox);
              clock.advance(LEASE.plusSeconds(1));
              assertThat(
                      inboxFromOtherThread(() -> inbox.process(event.id(), "healthy", counting())))
                  .isEqualTo(Outcome.DONE);
            });
    assertThat(late).isEqualTo(Outcome.LEASE_LOST);
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::owner, ProcessingAttempt::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("hung", Outcome.LEASE_LOST),
            org.assertj.core.groups.Tuple.tuple("healthy", Outcome.DONE));
  }

  @Test
  void aSupersededAttemptRanNoHandler() throws Exception {
    inbox = newInbox(options().supersededGuard(true).build());
    VerifiedEvent newer = TestEvents.about("sub_attempts", 1_700_000_200L);
    VerifiedEvent older = TestEvents.about("sub_attempts", 1_700_000_100L);
    for (VerifiedEvent event : List.of(newer, older)) {
      inbox.receive(event, TestEvents.header(event), null);
      inbox.process(event.id(), "a", counting());
    }
    assertThat(inbox.attempts(older.id()))
        .singleElement()
        .satisfies(attempt -> assertThat(attempt.ranHandlers()).isFalse())
        .extracting(ProcessingAttempt::outcome)
        .isEqualTo(Outcome.SUPERSEDED);
  }

  <T> T inboxFromOtherThread(java.util.concurrent.Callable<T> call) throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      return other.submit(call).get(30, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }
  }

  // --- resolving by hand --------------------------------------------------------------------

  @Test
  void resolvesAFailedOrDeadEventWithoutRunningItsHandlers() throws Exception {
    inbox = newInbox(options().attempts(1).build());
    VerifiedEvent dead = received(inbox);
    inbox.process(dead.id(), "a", failing("poison"));
    int runsBefore = runs(dead);

    assertThat(inbox.resolve(dead.id())).isTrue();

    InboxRecord record = record(dead);
    assertThat(record.status()).isEqualTo(InboxStatus.RESOLVED);
    assertThat(record.handledAt()).isEqualTo(clock.instant());
    assertThat(record.lastError()).contains("poison");
    assertThat(inbox.resolve(dead.id())).isFalse();
    assertThat(inbox.replay(dead.id())).isFalse();
    assertThat(inbox.receive(dead, TestEvents.header(dead), null)).isEqualTo(Receipt.DONE);
    assertThat(inbox.process(dead.id(), "b", counting())).isEqualTo(Outcome.ALREADY_DONE);
    assertThat(inbox.processDue("w", 10, counting())).isZero();
    assertThat(runs(dead)).isEqualTo(runsBefore);
  }

  @Test
  void aResolvedEventIsNotRetriedWhenItsNextAttemptComes() throws Exception {
    inbox = newInbox(options().attempts(5).build());
    VerifiedEvent failed = received(inbox);
    inbox.process(failed.id(), "a", failing("flaky"));
    int runsBefore = runs(failed);

    assertThat(inbox.resolve(failed.id())).isTrue();
    clock.advance(java.time.Duration.ofDays(1));

    assertThat(inbox.processDue("w", 10, counting())).isZero();
    assertThat(runs(failed)).isEqualTo(runsBefore);
    assertThat(record(failed).status()).isEqualTo(InboxStatus.RESOLVED);
  }

  @Test
  void resolveRefusesEventsThatDidNotFail() throws Exception {
    VerifiedEvent waiting = received(inbox);
    VerifiedEvent done = received(inbox);
    inbox.process(done.id(), "a", counting());
    assertThat(inbox.resolve(waiting.id())).isFalse();
    assertThat(inbox.resolve(done.id())).isFalse();
    assertThat(inbox.resolve("evt_unknown")).isFalse();
    assertThat(record(waiting).status()).isEqualTo(InboxStatus.RECEIVED);
  }

  @Test
  void prunesResolvedEventsAfterTheRetentionWithTheirAttempts() throws Exception {
    inbox = newInbox(options().attempts(1).retention(Duration.ofDays(30)).build());
    VerifiedEvent resolved = received(inbox);
    inbox.process(resolved.id(), "a", failing("poison"));
    inbox.resolve(resolved.id());
    VerifiedEvent dead = received(inbox);
    inbox.process(dead.id(), "a", failing("poison"));
    clock.advance(Duration.ofDays(31));

    assertThat(inbox.prune()).isEqualTo(1);

    assertThat(inbox.find(resolved.id())).isEmpty();
    assertThat(inbox.attempts(resolved.id())).isEmpty();
    assertThat(inbox.attempts(dead.id())).hasSize(1);
    assertAttemptRows(resolved.id(), 0);
  }

  /** Checks, where the storage can be read directly, how many attempt rows {@code eventId} has. */
  void assertAttemptRows(String eventId, int expected) throws Exception {}

  // --- two-phase claims: claim, work elsewhere, finish ------------------------------------------

  @Test
  void aClaimHoldsTheEventUntilFinishMarksItDone() throws Exception {
    VerifiedEvent event = received(inbox);

    InboxRecord claimed = inbox.claim(event.id(), "request-filter").orElseThrow();

    assertThat(claimed.status()).isEqualTo(InboxStatus.PROCESSING);
    assertThat(claimed.leaseOwner()).isEqualTo("request-filter");
    assertThat(claimed.attempts()).isEqualTo(1);
    assertThat(claimed.body()).isEqualTo(event.body());
    assertThat(inbox.process(event.id(), "other", counting())).isEqualTo(Outcome.BUSY);
    assertThat(inbox.claim(event.id(), "other")).isEmpty();
    assertThat(inbox.processDue("w", 10, counting())).isZero();
    assertThat(record(event).status()).isEqualTo(InboxStatus.PROCESSING);

    assertThat(inbox.finish(event.id(), "request-filter", null)).isEqualTo(Outcome.DONE);

    assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
    assertThat(record(event).handledAt()).isEqualTo(clock.instant());
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::owner, ProcessingAttempt::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("request-filter", Outcome.DONE));
    assertThat(inbox.claim(event.id(), "request-filter")).isEmpty();
    assertThat(inbox.finish(event.id(), "request-filter", null)).isEqualTo(Outcome.LEASE_LOST);
    assertThat(runs).isEmpty();
  }

  @Test
  void finishWithAFailureRecordsItAsProcessDoesAndDeadComesOnce() throws Exception {
    inbox = newInbox(options().attempts(2).build());
    VerifiedEvent event = received(inbox);
    List<Outcome> outcomes = new ArrayList<>();
    List<Throwable> failures =
        List.of(
            new IllegalStateException("ledger down"),
            new AssertionError("still down"),
            new StackOverflowError());
    for (Throwable failure : failures) {
      assertThat(inbox.claim(event.id(), "resource")).isPresent();
      outcomes.add(inbox.finish(event.id(), "resource", failure));
    }

    assertThat(outcomes).containsExactly(Outcome.FAILED, Outcome.DEAD, Outcome.FAILED);
    assertThat(record(event).status()).isEqualTo(InboxStatus.DEAD);
    assertThat(record(event).lastError()).isEqualTo("java.lang.StackOverflowError");
    assertThat(record(event).leaseOwner()).isNull();
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::error)
        .containsExactly(
            "java.lang.IllegalStateException: ledger down",
            "java.lang.AssertionError: still down",
            "java.lang.StackOverflowError");

    assertThat(inbox.claim(event.id(), "resource")).isPresent();
    assertThat(inbox.finish(event.id(), "resource", null)).isEqualTo(Outcome.DONE);
  }

  @Test
  void aClaimIsEmptyForAnUnknownAFinishedOrAHeldEventAndFindTellsThemApart() throws Exception {
    VerifiedEvent done = received(inbox);
    inbox.process(done.id(), "a", counting());
    VerifiedEvent held = received(inbox);
    inbox.claim(held.id(), "holder").orElseThrow();

    assertThat(inbox.claim("evt_never_received", "b")).isEmpty();
    assertThat(inbox.claim(done.id(), "b")).isEmpty();
    assertThat(inbox.claim(held.id(), "b")).isEmpty();
    assertThat(inbox.find("evt_never_received")).isEmpty();
    assertThat(record(done).status()).isEqualTo(InboxStatus.DONE);
    assertThat(record(held).leaseOwner()).isEqualTo("holder");
    assertThat(inbox.finish(held.id(), "b", null)).isEqualTo(Outcome.LEASE_LOST);
    assertThat(inbox.finish("evt_never_received", "b", null)).isEqualTo(Outcome.LEASE_LOST);
    assertThat(inbox.finish(held.id(), "holder", null)).isEqualTo(Outcome.DONE);
  }

  @Test
  void aFinishAfterAnotherOwnerTookTheExpiredClaimOverIsLeaseLost() throws Exception {
    VerifiedEvent event = received(inbox);
    inbox.claim(event.id(), "crashed").orElseThrow();
    holderStopsRenewing(inbox);
    clock.advance(LEASE.plusSeconds(1));

    assertThat(inbox.claim(event.id(), "healthy")).isPresent();
    assertThat(inbox.finish(event.id(), "crashed", null)).isEqualTo(Outcome.LEASE_LOST);
    assertThat(inbox.finish(event.id(), "healthy", null)).isEqualTo(Outcome.DONE);
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::outcome)
        .containsExactly(Outcome.LEASE_LOST, Outcome.DONE);
  }

  @Test
  void aClaimOfAnEventOlderThanOneAppliedFinishesItAsSuperseded() throws Exception {
    inbox = newInbox(options().supersededGuard(true).build());
    VerifiedEvent newer = TestEvents.about("sub_claimed", 1_700_000_200L);
    VerifiedEvent older = TestEvents.about("sub_claimed", 1_700_000_100L);
    for (VerifiedEvent event : List.of(newer, older)) {
      inbox.receive(event, TestEvents.header(event), null);
    }
    assertThat(inbox.claim(newer.id(), "a")).isPresent();
    assertThat(inbox.finish(newer.id(), "a", null)).isEqualTo(Outcome.DONE);

    assertThat(inbox.claim(older.id(), "a")).isEmpty();
    assertThat(record(older).status()).isEqualTo(InboxStatus.SUPERSEDED);
  }

  /** What keeps the claims of {@code target} alive. */
  static LeaseKeeper leases(EventInbox target) {
    return target instanceof JdbcEventInbox jdbc
        ? jdbc.leases()
        : ((InMemoryEventInbox) target).leases();
  }

  /**
   * Simulates a crash, or a pause longer than a lease, of every holder of {@code target}'s claims
   * now: nothing renews them any more.
   */
  static void holderStopsRenewing(EventInbox target) {
    leases(target).abandon();
  }

  // --- claimed on arrival (async hand-off) ----------------------------------------------------

  VerifiedEvent receivedClaimedBy(String owner) throws InboxException {
    VerifiedEvent event = TestEvents.event("invoice.paid");
    assertThat(inbox.receive(event, TestEvents.header(event), "203.0.113.7", owner))
        .isEqualTo(Receipt.NEW);
    return event;
  }

  @Test
  void aDoorClaimsAnEventStoredClaimedByItAsItIsAndFinishesIt() throws Exception {
    VerifiedEvent event = receivedClaimedBy("door");
    assertThat(inbox.claim(event.id(), "other")).as("held by the door").isEmpty();

    InboxRecord claimed = inbox.claim(event.id(), "door").orElseThrow();

    assertThat(claimed.attempts()).as("the arrival's attempt, not a second one").isEqualTo(1);
    assertThat(record(event).leaseOwner()).isEqualTo("door");
    assertThat(inbox.finish(event.id(), "door", null)).isEqualTo(Outcome.DONE);
    assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::owner, ProcessingAttempt::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("door", Outcome.DONE));
    assertAttemptRows(event.id(), 1);
  }

  @Test
  void aDeliveryClaimedOnArrivalIsRunByItsOwnerInThatClaim() throws Exception {
    VerifiedEvent event = receivedClaimedBy("worker");
    InboxRecord stored = record(event);
    assertThat(stored.status()).isEqualTo(InboxStatus.PROCESSING);
    assertThat(stored.attempts()).isEqualTo(1);
    assertThat(stored.leaseOwner()).isEqualTo("worker");
    assertThat(stored.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
    assertThat(stored.body()).isEqualTo(event.body());
    // Redelivered meanwhile: pending, and nobody else runs it while its owner holds it.
    assertThat(inbox.receive(event, TestEvents.header(event), null, "worker-2"))
        .isEqualTo(Receipt.PENDING);
    assertThat(inbox.process(event.id(), "other", counting())).isEqualTo(Outcome.BUSY);
    assertThat(inbox.processDue("other", 10, counting())).isZero();

    List<InboxRecord> seen = new ArrayList<>();
    assertThat(
            inbox.process(
                event.id(),
                "worker",
                (record, context) -> {
                  seen.add(record);
                  counting().run(record, context);
                }))
        .isEqualTo(Outcome.DONE);

    assertThat(runs(event)).isEqualTo(1);
    assertThat(seen.get(0).body()).isEqualTo(event.body());
    assertThat(seen.get(0).attempts()).isEqualTo(1);
    assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::owner, ProcessingAttempt::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("worker", Outcome.DONE));
    assertThat(inbox.receive(event, TestEvents.header(event), null, "worker"))
        .isEqualTo(Receipt.DONE);
  }

  @Test
  void processClaimedRunsEachEventAsProcessDoesInOrder() throws Exception {
    VerifiedEvent claimed = receivedClaimedBy("worker");
    VerifiedEvent failing = receivedClaimedBy("worker");
    VerifiedEvent unclaimed = received(inbox);
    VerifiedEvent heldByOther = receivedClaimedBy("other");

    List<Outcome> outcomes =
        inbox.processClaimed(
            List.of(claimed.id(), failing.id(), unclaimed.id(), heldByOther.id(), "evt_none"),
            "worker",
            (record, context) -> {
              counting().run(record, context);
              if (record.eventId().equals(failing.id())) {
                throw new StackOverflowError();
              }
            });

    assertThat(outcomes)
        .containsExactly(Outcome.DONE, Outcome.FAILED, Outcome.DONE, Outcome.BUSY, Outcome.UNKNOWN);
    assertThat(runs(claimed)).isEqualTo(1);
    assertThat(runs(heldByOther)).isZero();
    assertThat(record(failing).status()).isEqualTo(InboxStatus.FAILED);
    assertThat(inbox.process(heldByOther.id(), "other", counting())).isEqualTo(Outcome.DONE);
  }

  @Test
  void aClaimOnArrivalIsRenewedUntilItsOwnerRunsIt() throws Exception {
    VerifiedEvent event = receivedClaimedBy("worker");
    for (int i = 0; i < 3; i++) {
      clock.advance(LEASE.minusSeconds(1));
      leases(inbox).beat();
      assertThat(inbox.processDue("other", 10, counting())).isZero();
    }
    assertThat(inbox.process(event.id(), "worker", counting())).isEqualTo(Outcome.DONE);
  }

  @Test
  void aClaimOnArrivalWhoseHolderCrashedIsTakenOverByTheDuePollOneLeaseLater() throws Exception {
    VerifiedEvent event = receivedClaimedBy("worker");
    holderStopsRenewing(inbox); // killed before its worker ran the event

    clock.advance(LEASE.minusMillis(1));
    assertThat(inbox.processDue("restarted", 10, counting())).isZero();
    clock.advance(Duration.ofMillis(1));
    assertThat(inbox.processDue("restarted", 10, counting())).isEqualTo(1);

    assertThat(runs(event)).isEqualTo(1);
    assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::owner, ProcessingAttempt::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("worker", Outcome.LEASE_LOST),
            org.assertj.core.groups.Tuple.tuple("restarted", Outcome.DONE));
    assertThat(inbox.process(event.id(), "worker", counting())).isEqualTo(Outcome.ALREADY_DONE);
  }

  @Test
  void aClaimOnArrivalThatFailsIsRetriedByTheDuePollAfterItsBackoff() throws Exception {
    VerifiedEvent event = receivedClaimedBy("worker");
    assertThat(inbox.process(event.id(), "worker", failing("downstream down")))
        .isEqualTo(Outcome.FAILED);
    assertThat(record(event).status()).isEqualTo(InboxStatus.FAILED);
    assertThat(record(event).nextAttemptAt()).isAfter(clock.instant());

    clock.advance(Duration.ofHours(1));
    assertThat(inbox.processDue("later", 10, counting())).isEqualTo(1);
    assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
    assertThat(record(event).attempts()).isEqualTo(2);
  }

  // --- claims kept alive by a heartbeat ------------------------------------------------------

  @Test
  void aWorkLongerThanSeveralLeasesKeepsItsClaimWhileItsLeaseIsRenewed() throws Exception {
    VerifiedEvent event = received(inbox);
    List<Outcome> others = new ArrayList<>();
    List<Integer> claimedByOthers = new ArrayList<>();

    Outcome outcome =
        inbox.process(
            event.id(),
            "slow",
            (record, context) -> {
              for (int i = 0; i < 5; i++) {
                clock.advance(LEASE.minusSeconds(1));
                leases(inbox).beat();
                others.add(inbox.process(event.id(), "other", counting()));
                claimedByOthers.add(inbox.processDue("other", 10, counting()));
              }
            });

    assertThat(outcome).isEqualTo(Outcome.DONE);
    assertThat(others).containsOnly(Outcome.BUSY).hasSize(5);
    assertThat(claimedByOthers).containsOnly(0);
    assertThat(record(event).attempts()).isEqualTo(1);
    assertThat(runs).isEmpty();
  }

  @Test
  void everyEventOfABatchKeepsItsClaimUntilItsTurnComes() throws Exception {
    List<VerifiedEvent> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      batch.add(received(inbox));
      clock.advance(Duration.ofMillis(1));
    }
    List<Integer> claimedByOthers = new ArrayList<>();
    List<Outcome> lastOfBatch = new ArrayList<>();

    int claimed =
        inbox.processDue(
            "batch",
            10,
            (record, context) -> {
              if (record.eventId().equals(batch.get(0).id())) { // the first takes several leases
                for (int i = 0; i < 3; i++) {
                  clock.advance(LEASE.minusSeconds(1));
                  leases(inbox).beat();
                  claimedByOthers.add(inbox.processDue("other", 10, counting()));
                  lastOfBatch.add(inbox.process(batch.get(2).id(), "other", counting()));
                }
              }
              counting().run(record, context);
            });

    assertThat(claimed).isEqualTo(3);
    assertThat(claimedByOthers).containsOnly(0);
    assertThat(lastOfBatch).containsOnly(Outcome.BUSY);
    for (VerifiedEvent event : batch) {
      assertThat(runs(event)).isEqualTo(1);
      assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
      assertThat(inbox.attempts(event.id()))
          .extracting(ProcessingAttempt::owner)
          .containsExactly("batch");
    }
  }

  @Test
  void aClaimIsKeptAliveUntilItIsFinished() throws Exception {
    VerifiedEvent event = received(inbox);
    inbox.claim(event.id(), "request-filter").orElseThrow();

    for (int i = 0; i < 5; i++) {
      clock.advance(LEASE.minusSeconds(1));
      leases(inbox).beat();
      assertThat(inbox.claim(event.id(), "other")).isEmpty();
      assertThat(record(event).leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
    }

    assertThat(inbox.finish(event.id(), "request-filter", null)).isEqualTo(Outcome.DONE);
  }

  @Test
  void aHolderThatStopsRenewingLosesItsClaimOneLeaseAfterTheLastRenewal() throws Exception {
    VerifiedEvent event = received(inbox);
    inbox.claim(event.id(), "crashed").orElseThrow();
    clock.advance(LEASE.dividedBy(2));
    leases(inbox).beat();

    holderStopsRenewing(inbox);
    clock.advance(LEASE.minusMillis(1));
    leases(inbox).beat();
    assertThat(inbox.process(event.id(), "healthy", counting())).isEqualTo(Outcome.BUSY);
    clock.advance(Duration.ofMillis(1));

    assertThat(inbox.process(event.id(), "healthy", counting())).isEqualTo(Outcome.DONE);
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::outcome)
        .containsExactly(Outcome.LEASE_LOST, Outcome.DONE);
  }

  @Test
  void aRenewalThatFindsTheLeaseGoneWarnsOnceNamingTheEventAndStopsRenewingIt() throws Exception {
    VerifiedEvent event = received(inbox);
    inbox.claim(event.id(), "paused").orElseThrow();
    clock.advance(LEASE.plusSeconds(1)); // paused past its lease, no renewal ran
    inbox.claim(event.id(), "healthy").orElseThrow();

    List<String> warnings;
    try (LogCapture log = LogCapture.of(LeaseKeeper.class)) {
      leases(inbox).beat();
      leases(inbox).beat();
      warnings = log.warnings();
    }

    assertThat(warnings)
        .containsExactly(
            "The work on "
                + event.id()
                + " outlived its lease;"
                + " another owner may have taken it over");
    assertThat(record(event).leaseOwner()).isEqualTo("healthy");
    assertThat(inbox.finish(event.id(), "paused", null)).isEqualTo(Outcome.LEASE_LOST);
    assertThat(inbox.finish(event.id(), "healthy", null)).isEqualTo(Outcome.DONE);
  }

  @Test
  void finishedClaimsAreNotRenewedNorWarnedAbout() throws Exception {
    VerifiedEvent processed = received(inbox);
    VerifiedEvent claimed = received(inbox);
    inbox.process(processed.id(), "a", counting());
    inbox.claim(claimed.id(), "a").orElseThrow();
    inbox.finish(claimed.id(), "a", new IllegalStateException("x"));

    try (LogCapture log = LogCapture.of(LeaseKeeper.class)) {
      leases(inbox).beat();
      assertThat(log.warnings()).isEmpty();
    }
    assertThat(record(claimed).leaseUntil()).isNull();
  }

  @Test
  void theSharedHeartbeatRenewsAClaimEveryThirdOfALease() throws Exception {
    Duration lease = Duration.ofMillis(300);
    inbox = newInbox(options().lease(lease).build());
    VerifiedEvent event = received(inbox);
    List<Outcome> others = new ArrayList<>();

    // The clock stands still but for these steps: only the renewals, in real time, move the
    // lease; each step waits for one (however late it comes) and stays within the lease.
    Outcome outcome =
        inbox.process(
            event.id(),
            "slow",
            (record, context) -> {
              for (int i = 0; i < 5; i++) {
                clock.advance(lease.multipliedBy(2).dividedBy(3));
                Instant renewed = clock.instant().plus(lease);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!inbox.find(event.id()).orElseThrow().leaseUntil().equals(renewed)) {
                  assertThat(System.nanoTime()).as("renewed within 30 s").isLessThan(deadline);
                  Thread.sleep(5);
                }
                others.add(inbox.process(event.id(), "other", counting()));
              }
            });

    assertThat(outcome).isEqualTo(Outcome.DONE);
    assertThat(others).containsOnly(Outcome.BUSY).hasSize(5);
    assertThat(leases(inbox).interval()).isEqualTo(Duration.ofMillis(100));
  }

  // --- endpoints ----------------------------------------------------------------------------

  /** Another inbox over the same storage as {@link #inbox} (in memory: a store of its own). */
  @Test
  void eachEndpointSeesOnlyItsOwnEventsAndStoresTheSameEventIdOnceOfItsOwn() throws Exception {
    EventInbox platform = sharingStorage(options().endpoint("platform").attempts(1).build());
    EventInbox connect = sharingStorage(options().endpoint("connect").attempts(1).build());
    VerifiedEvent shared = TestEvents.about("sub_shared", 1_700_000_000L);
    String header = TestEvents.header(shared);
    assertThat(platform.receive(shared, header, null)).isEqualTo(Receipt.NEW);
    assertThat(connect.receive(shared, header, null)).isEqualTo(Receipt.NEW);
    VerifiedEvent platformOnly = received(platform);

    assertThat(platform.process(shared.id(), "a", counting())).isEqualTo(Outcome.DONE);

    assertThat(platform.endpoint()).isEqualTo("platform");
    assertThat(inbox.endpoint()).isEqualTo(InboxOptions.DEFAULT_ENDPOINT);
    assertThat(platform.find(shared.id()).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
    assertThat(connect.find(shared.id()).orElseThrow())
        .extracting(InboxRecord::endpoint, InboxRecord::status)
        .containsExactly("connect", InboxStatus.RECEIVED);
    assertThat(connect.receive(shared, header, null)).isEqualTo(Receipt.PENDING);
    assertThat(connect.find(platformOnly.id())).isEmpty();
    assertThat(connect.process(platformOnly.id(), "b", counting())).isEqualTo(Outcome.UNKNOWN);
    assertThat(connect.attempts(shared.id())).isEmpty();
    assertThat(connect.list(EventQuery.builder().build()).events())
        .extracting(EventSummary::endpoint, EventSummary::eventId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("connect", shared.id()));
    assertThat(ids(connect.list(EventQuery.builder().search(platformOnly.id()).build()))).isEmpty();
    assertThat(connect.aboutObject("sub_shared", 10))
        .singleElement()
        .extracting(EventSummary::status)
        .isEqualTo(InboxStatus.RECEIVED);
    assertThat(connect.countByStatus())
        .containsEntry(InboxStatus.RECEIVED, 1L)
        .containsEntry(InboxStatus.DONE, 0L);
    assertThat(platform.backlog().events()).isEqualTo(1);
    assertThat(inbox.list(EventQuery.builder().build()).events()).isEmpty();
    assertThat(inbox.processDue("default-worker", 10, counting())).isZero();

    assertThat(connect.processDue("w", 10, failing("connect ledger down"))).isEqualTo(1);
    assertThat(platform.resolve(shared.id())).as("done on platform").isFalse();
    assertThat(platform.replay(shared.id())).isFalse();
    assertThat(connect.find(shared.id()).orElseThrow().status()).isEqualTo(InboxStatus.DEAD);
    assertThat(platform.processDue("w", 10, counting())).isEqualTo(1); // platformOnly
    clock.advance(Duration.ofDays(31));
    assertThat(platform.prune()).isEqualTo(2);
    assertThat(connect.find(shared.id())).isPresent();
    assertThat(connect.attempts(shared.id())).hasSize(1);
    assertThat(connect.resolve(shared.id())).isTrue();
  }

  /** A task of one thread of {@link #inParallel}; {@code t} numbers the thread. */
  @FunctionalInterface
  interface ThreadTask {
    void run(int t) throws Exception;
  }

  /** Runs {@code task} on {@code threads} threads at once and waits for all (60 s at most). */
  static void inParallel(int threads, ThreadTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  task.run(thread);
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
