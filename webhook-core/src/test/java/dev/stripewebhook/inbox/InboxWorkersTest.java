// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.VerifiedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InboxWorkersTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
  final InMemoryEventInbox inbox =
      new InMemoryEventInbox(
          InboxOptions.builder()
              .clock(clock)
              .attempts(3)
              .retryDelay(Duration.ofSeconds(10))
              .jitter(() -> 0.5)
              .build());

  VerifiedEvent received() throws InboxException {
    VerifiedEvent event = TestEvents.event("invoice.paid");
    inbox.receive(event, TestEvents.header(event), null);
    return event;
  }

  @Test
  void runDueProcessesEveryDueEventBatchAfterBatch() throws Exception {
    for (int i = 0; i < 25; i++) {
      received();
    }
    AtomicInteger runs = new AtomicInteger();
    InboxWorkers workers = InboxWorkers.processing(inbox, "w", (r, c) -> runs.incrementAndGet());

    assertThat(workers.runDue()).isEqualTo(25);
    assertThat(runs).hasValue(25);
    assertThat(workers.runDue()).isZero();
  }

  @Test
  void eachWorkerThreadHandlesEventsAtTheSameTimeAsTheOthers() throws Exception {
    for (int i = 0; i < 40; i++) {
      received(); // four batches of ten
    }
    CountDownLatch allInside = new CountDownLatch(4);
    InboxWorkers workers =
        InboxWorkers.processing(
            inbox,
            "w",
            (record, context) -> {
              allInside.countDown();
              allInside.await(30, TimeUnit.SECONDS);
            },
            4);
    workers.start();
    try {
      assertThat(allInside.await(30, TimeUnit.SECONDS))
          .as("four events in handlers at once")
          .isTrue();
    } finally {
      workers.close();
    }
  }

  @Test
  void retriesWithBackoffByTheClockUntilDead() throws Exception {
    VerifiedEvent event = received();
    InboxWorkers workers =
        InboxWorkers.processing(
            inbox,
            "w",
            (record, context) -> {
              throw new IllegalStateException("downstream API down");
            });

    assertThat(workers.runDue()).isEqualTo(1);
    assertThat(workers.runDue()).as("not due before the backoff").isZero();
    clock.advance(Duration.ofMillis(7_500)); // 10 s with jitter 0.5
    assertThat(workers.runDue()).isEqualTo(1);
    clock.advance(Duration.ofMillis(14_999)); // 20 s with jitter 0.5, less 1 ms
    assertThat(workers.runDue()).isZero();
    clock.advance(Duration.ofMillis(1));
    assertThat(workers.runDue()).isEqualTo(1);

    InboxRecord dead = inbox.find(event.id()).orElseThrow();
    assertThat(dead.status()).isEqualTo(InboxStatus.DEAD);
    assertThat(dead.attempts()).isEqualTo(3);
    clock.advance(Duration.ofDays(1));
    assertThat(workers.runDue()).isZero();
  }

  @Test
  void startedWorkersHandleANewEventOnWakeAndStopOnClose() throws Exception {
    CountDownLatch handled = new CountDownLatch(1);
    String[] thread = new String[1];
    InboxWorkers workers =
        InboxWorkers.processing(
            inbox,
            "w",
            (record, context) -> {
              thread[0] = Thread.currentThread().getName();
              handled.countDown();
            });
    workers.start();
    VerifiedEvent event;
    try {
      event = received();
      workers.wake();
      assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(thread[0]).startsWith("stripe-webhook-inbox-");
    } finally {
      workers.close(); // waits for the done mark after the handler
    }
    assertThat(workers.isTerminated()).isTrue();
    assertThat(inbox.find(event.id()).map(InboxRecord::status))
        .isEqualTo(Optional.of(InboxStatus.DONE));
  }

  @Test
  void aDeliveryStoredThroughTheWorkersIsClaimedOnArrivalAndHandedToAThread() throws Exception {
    CountDownLatch handled = new CountDownLatch(1);
    List<InboxRecord> seen = new CopyOnWriteArrayList<>();
    InboxWorkers workers =
        InboxWorkers.processing(
            inbox,
            "w",
            (record, context) -> {
              seen.add(inbox.find(record.eventId()).orElseThrow());
              handled.countDown();
            });
    workers.start();
    VerifiedEvent event = TestEvents.event("invoice.paid");
    try {
      assertThat(workers.receive(event, TestEvents.header(event), null))
          .isEqualTo(EventInbox.Receipt.NEW);
      assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      workers.close();
    }
    // Held by the hand-off owner from the moment it was stored; polls claim as w-1, w-2, ...
    assertThat(seen.get(0).leaseOwner()).isEqualTo("w-0");
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::owner)
        .containsExactly("w-0");
    assertThat(inbox.find(event.id()).map(InboxRecord::status))
        .isEqualTo(Optional.of(InboxStatus.DONE));
    assertThat(workers.receive(event, TestEvents.header(event), null))
        .isEqualTo(EventInbox.Receipt.DONE);
  }

  @Test
  void workersNotStartedStoreTheDeliveryUnclaimedAndWakeAPoll() throws Exception {
    CountDownLatch handled = new CountDownLatch(1);
    InboxWorkers workers =
        InboxWorkers.processing(inbox, "w", (record, context) -> handled.countDown());
    VerifiedEvent event = TestEvents.event("invoice.paid");
    try {
      assertThat(workers.receive(event, TestEvents.header(event), null))
          .isEqualTo(EventInbox.Receipt.NEW);
      assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      workers.close();
    }
    assertThat(inbox.attempts(event.id()))
        .extracting(ProcessingAttempt::owner)
        .containsExactly("w-1");
  }

  @Test
  void aStorageFailureDoesNotStopTheWorkers() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(1);
    EventInbox flaky =
        new DelegatingInbox(inbox) {
          @Override
          public int processDue(String owner, int limit, Work work) throws InboxException {
            if (failuresLeft.getAndDecrement() > 0) {
              throw new InboxException("database restarting");
            }
            return super.processDue(owner, limit, work);
          }
        };
    CountDownLatch handled = new CountDownLatch(1);
    InboxWorkers workers = InboxWorkers.processing(flaky, "w", (r, c) -> handled.countDown());
    received();
    workers.start(); // the first poll fails
    try {
      assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      workers.close();
    }
    assertThat(failuresLeft.get()).isNegative();
  }
}
