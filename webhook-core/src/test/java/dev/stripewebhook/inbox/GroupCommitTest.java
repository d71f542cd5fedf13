// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  /** A store that holds its first batch until {@code release}, then answers each item by name. */
  private GroupCommit<String, String> holdingFirst(
      int limit, CountDownLatch inFirst, CountDownLatch release, AtomicReference<String> failOn) {
    return new GroupCommit<>(
        limit,
        "store events",
        batch -> {
          List<String> values = batch.stream().map(GroupCommit.Item::value).toList();
          batches.add(values);
          if (batches.size() == 1) {
            inFirst.countDown();
            await(release);
          }
          if (values.contains(failOn.get())) {
            if (failOn.get().startsWith("error")) {
              throw new AssertionError("the leader broke");
            }
            throw new InboxException("database down");
          }
          batch.forEach(item -> item.succeed("stored " + item.value()));
        });
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Submits {@code values} one by one, each once the previous one waits behind the first batch. */
  private List<Future<String>> queueBehindTheFirst(
      GroupCommit<String, String> commits, List<String> values) throws Exception {
    List<Future<String>> answers = new ArrayList<>();
    for (String value : values) {
      int before = commits.waiting();
      answers.add(callers.submit(() -> commits.submit(value)));
      while (commits.waiting() == before) {
        Thread.onSpinWait();
      }
    }
    return answers;
  }

  @Test
  void deliveriesArrivingDuringACommitShareTheNextOneAndEachGetsItsOwnAnswer() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, String> commits =
        holdingFirst(64, inFirst, release, new AtomicReference<>(""));
    Future<String> first = callers.submit(() -> commits.submit("a"));
    inFirst.await();
    List<Future<String>> others = queueBehindTheFirst(commits, List.of("b", "c", "d"));

    release.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("stored a");
    assertThat(others.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("stored b");
    assertThat(others.get(2).get(10, TimeUnit.SECONDS)).isEqualTo("stored d");
    assertThat(batches).containsExactly(List.of("a"), List.of("b", "c", "d"));
  }

  @Test
  void aCallerAloneCommitsAtOnceAndABatchHoldsAtMostTheLimit() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, String> commits =
        holdingFirst(2, inFirst, release, new AtomicReference<>(""));
    Future<String> first = callers.submit(() -> commits.submit("a"));
    inFirst.await();
    List<Future<String>> others = queueBehindTheFirst(commits, List.of("b", "c", "d", "e", "f"));

    release.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("stored a");
    for (Future<String> other : others) {
      assertThat(other.get(10, TimeUnit.SECONDS)).startsWith("stored ");
    }
    assertThat(batches).hasSize(4).allSatisfy(batch -> assertThat(batch).hasSizeLessThan(3));
  }

  @Test
  void aFailedCommitFailsEveryCallerOfItsBatchAndOnlyThose() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, String> commits =
        holdingFirst(64, inFirst, release, new AtomicReference<>("c"));
    Future<String> first = callers.submit(() -> commits.submit("a"));
    inFirst.await();
    List<Future<String>> others = queueBehindTheFirst(commits, List.of("b", "c"));

    release.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("stored a");
    for (Future<String> other : others) {
      assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(InboxException.class)
          .hasMessageContaining("database down");
    }
    assertThat(commits.submit("d")).isEqualTo("stored d");
  }

  @Test
  void anErrorInTheLeaderFailsItsBatchWithoutStrandingAnyCaller() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, String> commits =
        holdingFirst(64, inFirst, release, new AtomicReference<>("error-a"));
    Future<String> first = callers.submit(() -> commits.submit("error-a"));
    inFirst.await();
    List<Future<String>> others = queueBehindTheFirst(commits, List.of("b", "c"));

    release.countDown();

    assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(InboxException.class)
        .hasMessageContaining("the leader broke");
    assertThat(others.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("stored b");
    assertThat(others.get(1).get(10, TimeUnit.SECONDS)).isEqualTo("stored c");
  }

  @Test
  void anInterruptedCallerStillGetsTheAnswerOfItsCommit() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, String> commits =
        holdingFirst(64, inFirst, release, new AtomicReference<>(""));
    Future<String> first = callers.submit(() -> commits.submit("a"));
    inFirst.await();
    AtomicReference<Thread> waiter = new AtomicReference<>();
    List<Future<String>> others = new ArrayList<>();
    others.add(
        callers.submit(
            () -> {
              waiter.set(Thread.currentThread());
              return commits.submit("b") + (Thread.currentThread().isInterrupted() ? "!" : "");
            }));
    while (commits.waiting() == 0) {
      Thread.onSpinWait();
    }
    waiter.get().interrupt();
    release.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("stored a");
    assertThat(others.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("stored b!");
  }
}
