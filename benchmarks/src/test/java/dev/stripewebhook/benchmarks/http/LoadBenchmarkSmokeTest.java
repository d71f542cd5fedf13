// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.inbox.InboxStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A short run of the HTTP load benchmark, so that the harness keeps working. */
class LoadBenchmarkSmokeTest {

  @Test
  void everySetUpAnswersEveryRequestWith2xx() throws Exception {
    LoadBenchmark.Options options =
        new LoadBenchmark.Options(
            Duration.ofSeconds(1),
            Duration.ofMillis(300),
            1,
            2,
            List.of(3),
            List.of(SetUp.values()),
            Path.of("target/loadbench-smoke"),
            true,
            3);

    List<LoadBenchmark.CellResult> results = LoadBenchmark.run(options);

    assertThat(results).hasSize(SetUp.values().length);
    for (LoadBenchmark.CellResult result : results) {
      LoadBenchmark.Turn turn = result.turns().get(0);
      assertThat(turn.failed()).as(result.cell() + " failed requests").isZero();
      assertThat(turn.completed()).as(result.cell() + " completed requests").isPositive();
      assertThat(turn.perSecond()).as(result.cell() + " req/s").isPositive();
      assertThat(turn.bytesPerRequest()).as(result.cell() + " bytes/request").isPositive();
      if (result.cell().setUp().handles()) {
        // async: every acknowledged event was handled before the turn ended (drained)
        assertThat(turn.handledPerSecond()).as(result.cell() + " handled/s").isPositive();
      }
    }
    assertThat(LoadBenchmark.table(results))
        .contains(
            "| bare |", "| sync-h2 |", "| sync-postgres |", "| async-h2 |", "| async-postgres |");
    assertThat(LoadBenchmark.sameRoundRatios(results)).contains("| async-postgres | 3 |");
  }

  @Test
  void refusesABodyOverTheLimitWithoutBufferingIt() throws Exception {
    try (BenchServer server =
        new BenchServer(Path.of("target/loadbench-smoke-probe"), List.of(SetUp.FILTER), false, 2)) {
      OversizeProbe.Outcome outcome = OversizeProbe.send(server.port(), SetUp.FILTER.path());

      assertThat(outcome.status()).isEqualTo(413);
      assertThat(outcome.serverBytes()).isLessThan(OversizeProbe.DECLARED / 10);
    }
  }

  @Test
  void drainBenchmarkHandlesTheWholeBacklogOnBothStoresAndLeavesEveryEventDone() throws Exception {
    List<InboxDrainBenchmark.Round> rounds =
        List.of(
            InboxDrainBenchmark.memoryRound(20, 5),
            InboxDrainBenchmark.h2Round(Path.of("target/inbox-drain-smoke"), 20, 5));

    for (InboxDrainBenchmark.Round round : rounds) {
      assertThat(round.handled()).isEqualTo(5);
      assertThat(round.counts())
          .containsEntry(InboxStatus.DONE, 25L)
          .containsEntry(InboxStatus.RECEIVED, 0L)
          .containsEntry(InboxStatus.PROCESSING, 0L)
          .containsEntry(InboxStatus.FAILED, 0L);
      assertThat(round.perSecond()).isPositive();
    }
  }

  @Test
  void templatesCarryTheRequestedIdsAtTheRequestedSize() {
    EventTemplate template = EventTemplate.paymentIntentSucceeded(16 * 1024);

    String body = new String(template.render(42), java.nio.charset.StandardCharsets.UTF_8);

    assertThat(template.size()).isBetween(16 * 1024, 17 * 1024);
    assertThat(body)
        .contains(
            "\"id\":\"evt_000000000000000000000042\"", "\"id\":\"pi_000000000000000000000042\"");
  }
}
