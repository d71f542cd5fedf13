// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stripewebhook.LogCapture;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.EventInbox.Work;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class InMemoryEventInboxTest extends EventInboxContract {

  @Override
  EventInbox newInbox(InboxOptions options) {
    return new InMemoryEventInbox(options);
  }

  @Override
  EventInbox sharingStorage(InboxOptions options) {
    return new InMemoryEventInbox(options);
  }

  @Test
  void whenFullForgetsTheOldestDoneEventFirst() throws Exception {
    inbox = newInbox(options().capacity(2).build());
    VerifiedEvent first = received(inbox);
    VerifiedEvent second = received(inbox);
    inbox.process(first.id(), "a", counting());

    VerifiedEvent third = received(inbox);

    assertThat(inbox.find(first.id())).isEmpty();
    assertThat(inbox.find(second.id())).isPresent();
    assertThat(inbox.find(third.id())).isPresent();
  }

  @Test
  void holdsExactlyItsCapacityWhenManyThreadsStoreAndFinishEventsAtOnce() throws Exception {
    int capacity = 64;
    inbox = newInbox(options().capacity(capacity).build());
    int threads = 8;
    int perThread = 500;
    AtomicInteger handled = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);

    inParallel(
        threads,
        t -> {
          String owner = "request-" + t;
          start.await();
          for (int i = 0; i < perThread; i++) {
            VerifiedEvent event = TestEvents.event("payment_intent.succeeded");
            assertThat(inbox.receive(event, TestEvents.header(event), null, owner))
                .isEqualTo(Receipt.NEW);
            assertThat(
                    inbox.process(
                        event.id(), owner, (record, context) -> handled.incrementAndGet()))
                .isEqualTo(Outcome.DONE);
          }
        });

    assertThat(handled).hasValue(threads * perThread);
    // Every slot given back or taken once: a lost one would leave fewer, a doubled one more.
    assertThat(stored(inbox)).isEqualTo(capacity);
    assertThat(inbox.countByStatus()).containsEntry(InboxStatus.DONE, (long) capacity);
    assertThat(inbox.processDue("worker", 1_000, counting())).isZero();
    // Emptied, it holds as many unfinished events as its capacity again, and not one more.
    clock.advance(options().build().retention().plusDays(1));
    assertThat(inbox.prune()).isEqualTo(capacity);
    for (int i = 0; i < capacity; i++) {
      received(inbox);
    }
    VerifiedEvent refused = TestEvents.event("invoice.paid");
    assertThatThrownBy(() -> inbox.receive(refused, TestEvents.header(refused), null))
        .isInstanceOf(InboxException.class);
  }

  @Test
  void twoDeliveriesOfOneNewEventIntoAFullInboxMakeRoomOnlyOnce() throws Exception {
    int capacity = 20;
    inbox = newInbox(options().capacity(capacity).build());
    for (int i = 0; i < capacity; i++) {
      VerifiedEvent failed = received(inbox);
      inbox.process(failed.id(), "a", failing("ledger down"));
    }

    for (int round = 0; round < 200; round++) {
      VerifiedEvent event = TestEvents.event("invoice.paid");
      CyclicBarrier start = new CyclicBarrier(2);
      inParallel(
          2,
          t -> {
            start.await();
            inbox.receive(event, TestEvents.header(event), null);
          });
      // One event more, so one forgotten: a second forgotten one would be lost for nothing.
      assertThat(stored(inbox)).as("round " + round).isEqualTo(capacity);
      inbox.process(event.id(), "a", counting());
    }
  }

  private static long stored(EventInbox inbox) throws InboxException {
    return inbox.countByStatus().values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  void whenFullForgetsTheEventThatFinishedLongestAgoWhateverItsArrival() throws Exception {
    inbox = newInbox(options().capacity(2).build());
    VerifiedEvent first = received(inbox);
    VerifiedEvent second = received(inbox);
    inbox.process(second.id(), "a", counting());
    inbox.process(first.id(), "a", counting());

    VerifiedEvent third = received(inbox);

    assertThat(inbox.find(second.id())).isEmpty();
    assertThat(inbox.find(first.id())).isPresent();
    assertThat(inbox.find(third.id())).isPresent();
  }

  @Test
  void whenFullOfUnfinishedEventsRefusesANewOneRatherThanDropOne() throws Exception {
    inbox = newInbox(options().capacity(2).build());
    received(inbox);
    received(inbox);
    VerifiedEvent refused = TestEvents.event("invoice.paid");

    assertThatThrownBy(() -> inbox.receive(refused, TestEvents.header(refused), null))
        .isInstanceOf(InboxException.class)
        .hasMessageContaining("full");
    assertThat(inbox.find(refused.id())).isEmpty();
  }

  @Test
  void keepsStoringNewEventsAfterTwentyThousandFailedOnesByForgettingTheOldestFailed()
      throws Exception {
    inbox = newInbox(options().capacity(100).attempts(1).build());
    Logger logger = Logger.getLogger(InMemoryEventInbox.class.getName()); // held while quiet
    logger.setUseParentHandlers(false); // 19,900 warnings are the point, not console output
    try (LogCapture log = LogCapture.of(InMemoryEventInbox.class)) {
      List<String> failed = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        VerifiedEvent event = TestEvents.event("invoice.paid");
        assertThat(inbox.receive(event, TestEvents.header(event), null)).isEqualTo(Receipt.NEW);
        assertThat(inbox.process(event.id(), "request", failing("handler down")))
            .isEqualTo(Outcome.DEAD);
        failed.add(event.id());
      }

      VerifiedEvent next = TestEvents.event("invoice.paid");
      assertThat(inbox.receive(next, TestEvents.header(next), null)).isEqualTo(Receipt.NEW);
      assertThat(inbox.process(next.id(), "request", counting())).isEqualTo(Outcome.DONE);

      assertThat(inbox.countByStatus().get(InboxStatus.DEAD)).isEqualTo(99);
      assertThat(inbox.find(failed.get(0))).isEmpty();
      assertThat(inbox.find(failed.get(failed.size() - 1))).isPresent();
      assertThat(log.warnings()).hasSize(20_000 - 99);
      assertThat(log.warnings().get(0)).contains(failed.get(0));
    } finally {
      logger.setUseParentHandlers(true);
    }
  }

  @Test
  void aDoneEventKeepsNoBodyWhicheverWayItWasClaimed() throws Exception {
    inbox = newInbox(options().build());
    List<WeakReference<byte[]>> bodies = new ArrayList<>();
    Work keepingAWeakReference =
        (record, context) -> bodies.add(new WeakReference<>(record.heldBody()));
    VerifiedEvent delivered = received(inbox);
    inbox.process(delivered.id(), "request", keepingAWeakReference);
    VerifiedEvent claimedOnArrival = TestEvents.event("invoice.paid");
    inbox.receive(claimedOnArrival, TestEvents.header(claimedOnArrival), null, "request");
    inbox.process(claimedOnArrival.id(), "request", keepingAWeakReference);
    received(inbox);
    inbox.processDue("worker", 10, keepingAWeakReference);

    assertThat(bodies).hasSize(3);
    for (int i = 0; i < 50 && bodies.stream().anyMatch(body -> body.get() != null); i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertThat(bodies).allSatisfy(body -> assertThat(body.get()).isNull());
  }

  @Test
  void whenFullForgetsAFailedEventBeforeAnOlderReceivedOne() throws Exception {
    inbox = newInbox(options().capacity(3).build());
    VerifiedEvent waiting = received(inbox);
    VerifiedEvent firstFailed = received(inbox);
    VerifiedEvent secondFailed = received(inbox);
    inbox.process(firstFailed.id(), "a", failing("boom"));
    inbox.process(secondFailed.id(), "a", failing("boom"));

    VerifiedEvent fourth = received(inbox);
    VerifiedEvent fifth = received(inbox);

    assertThat(inbox.find(firstFailed.id())).isEmpty();
    assertThat(inbox.find(secondFailed.id())).isEmpty();
    assertThat(inbox.find(waiting.id())).isPresent();
    assertThat(inbox.find(fourth.id())).isPresent();
    assertThat(inbox.find(fifth.id())).isPresent();
    VerifiedEvent refused = TestEvents.event("invoice.paid");
    assertThatThrownBy(() -> inbox.receive(refused, TestEvents.header(refused), null))
        .isInstanceOf(InboxException.class)
        .hasMessageContaining("full");
  }

  @Test
  void whenFullForgetsADoneEventBeforeAnOlderFailedOne() throws Exception {
    inbox = newInbox(options().capacity(2).build());
    VerifiedEvent failed = received(inbox);
    VerifiedEvent done = received(inbox);
    inbox.process(failed.id(), "a", failing("boom"));
    inbox.process(done.id(), "a", counting());

    try (LogCapture log = LogCapture.of(InMemoryEventInbox.class)) {
      received(inbox);

      assertThat(inbox.find(done.id())).isEmpty();
      assertThat(inbox.find(failed.id())).isPresent();
      assertThat(log.warnings()).isEmpty();
    }
  }

  @Test
  void logsEachForgottenFailedEventNamingItAndTheWayToKeepThem() throws Exception {
    inbox = newInbox(options().capacity(1).build());
    VerifiedEvent failed = received(inbox);
    inbox.process(failed.id(), "a", failing("boom"));

    try (LogCapture log = LogCapture.of(InMemoryEventInbox.class)) {
      received(inbox);

      assertThat(log.warnings())
          .singleElement()
          .asString()
          .contains(failed.id())
          .contains("keeps failed events only up to its capacity of 1")
          .contains("DataSource");
    }
  }

  @Test
  void aForgottenFailedEventDeliveredAgainIsStoredAndProcessedAnew() throws Exception {
    inbox = newInbox(options().capacity(1).build());
    VerifiedEvent failed = received(inbox);
    inbox.process(failed.id(), "a", failing("boom"));
    VerifiedEvent next = received(inbox);
    inbox.process(next.id(), "a", counting());

    assertThat(inbox.receive(failed, TestEvents.header(failed), null)).isEqualTo(Receipt.NEW);
    assertThat(inbox.process(failed.id(), "a", counting())).isEqualTo(Outcome.DONE);
  }

  @Test
  void failedEventsAWorkerHasClaimedAreNotForgottenWhileTheyRun() throws Exception {
    inbox = newInbox(options().capacity(2).build());
    VerifiedEvent failed = received(inbox);
    inbox.process(failed.id(), "a", failing("boom"));
    VerifiedEvent other = received(inbox);
    clock.advance(RETRY_DELAY.multipliedBy(2));
    List<Throwable> refusals = new ArrayList<>();

    inbox.processDue(
        "worker",
        10,
        (record, context) -> {
          if (refusals.isEmpty()) { // the first of the batch: both events are processing
            VerifiedEvent refused = TestEvents.event("invoice.paid");
            refusals.add(
                catchThrowable(() -> inbox.receive(refused, TestEvents.header(refused), null)));
          }
        });

    assertThat(refusals).singleElement().isInstanceOf(InboxException.class);

    assertThat(inbox.find(failed.id()).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
    assertThat(inbox.find(other.id()).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
  }
}
