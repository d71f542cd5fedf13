// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.Stripe;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.net.ApiResource;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** A short run of the HTTP load benchmark, so that the harness keeps working. */
class LoadBenchmarkSmokeTest {

  @Test
  void everySetUpAnswersEveryRequestWith2xx() throws Exception {
    LoadBenchmark.Options options =
        LoadBenchmark.Options.smoke(
            Duration.ofSeconds(1),
            Duration.ofMillis(300),
            2,
            List.of(SetUp.values()),
            Path.of("target/loadbench-smoke"));
    // the delivery log stays at its default level (on); its lines are counted, not printed
    Logger deliveries = Logger.getLogger(StripeWebhookFilter.DELIVERY_LOGGER);
    LongAdder lines = new LongAdder();
    Handler counter =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            lines.increment();
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    deliveries.setUseParentHandlers(false);
    deliveries.addHandler(counter);
    List<LoadBenchmark.CellResult> results;
    try {
      results = LoadBenchmark.run(options);
    } finally {
      deliveries.removeHandler(counter);
      deliveries.setUseParentHandlers(true);
    }

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
    assertThat(LoadBenchmark.sameRoundRatios(results))
        .contains(
            "| async-postgres | 3 |",
            "| jaxrs-typed | 3 |",
            "| jaxrs-bare | 3 |",
            "| filter-quiet | 3 |");
    assertThat(LoadBenchmark.quietness(options, "0.50 0.40 0.30 1/100 42", results))
        .containsAnyOf("QUIET:", "**NOT QUIET**:");
    assertThat(lines.sum()).as("delivery log lines").isPositive();
    for (LoadBenchmark.CellResult result : results) {
      assertThat(result.turns().get(0).loadAverage()).as("load average").isNotBlank();
    }
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
            "\n  \"id\": \"evt_000000000000000000000042\",\n",
            "\n      \"id\": \"pi_000000000000000000000042\",\n");
  }

  @Test
  void stripeJavaBindsTheTypedObjectOfTheSixKibTemplateWithoutFallingBack() {
    EventTemplate template = EventTemplate.paymentIntentSucceeded(6 * 1024);

    Event event =
        ApiResource.GSON.fromJson(
            new String(template.render(7), StandardCharsets.UTF_8), Event.class);

    assertThat(template.size()).isBetween(6 * 1024, 7 * 1024);
    assertThat(event.getApiVersion()).isEqualTo(Stripe.API_VERSION);
    assertThat(event.getDataObjectDeserializer().getObject())
        .get()
        .isInstanceOf(PaymentIntent.class);
  }
}
