// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.TestHandlers;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Up to N deliveries a second get their own line; the others one summary line. */
class DeliveryLogLimitTest {
  private static final long SECOND = 1_000_000_000L;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<String> summaries = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private void later(Runnable task, long seconds) {
    timer.schedule(task, seconds, TimeUnit.SECONDS);
  }

  @Test
  void givesUpToTheLimitInEachSecondThenCountsTheRestByOutcome() {
    DeliveryLogLimit limit = new DeliveryLogLimit(3, this::later, summaries::add);
    long start = System.nanoTime();
    int lines = 0;
    for (int i = 0; i < 10; i++) {
      if (limit.lineFor(start)) {
        lines++;
      } else {
        limit.unlogged(i % 2 == 0 ? "done" : "signature-mismatch");
      }
    }
    assertThat(lines).isEqualTo(3);
    assertThat(limit.lineFor(start + SECOND)).isTrue();
    assertThat(limit.lineFor(start + SECOND)).isTrue();

    limit.summarize();
    assertThat(summaries).hasSize(1);
    assertThat(summaries.get(0))
        .matches(
            "7 deliveries in the last \\d+ ms had no line of their own \\(more than 3 a second\\):"
                + " 3 done, 4 signature-mismatch");
    limit.summarize();
    assertThat(summaries).as("nothing new to tell").hasSize(1);
  }

  @Test
  void underAFloodTheLinesComeEvenlySpacedNotAllAtTheStartOfASecond() {
    DeliveryLogLimit limit = new DeliveryLogLimit(100, this::later, summaries::add);
    long start = System.nanoTime();
    int burst = 0;
    while (limit.lineFor(start)) {
      burst++;
    }
    assertThat(burst).as("a quiet endpoint's burst").isEqualTo(100);

    // Then a delivery every millisecond for two seconds: one line in each 10 ms, no more.
    int[] linesPerTenth = new int[20];
    for (int ms = 1; ms <= 2_000; ms++) {
      if (limit.lineFor(start + ms * 1_000_000L)) {
        linesPerTenth[(ms - 1) / 100]++;
      }
    }
    assertThat(linesPerTenth).containsOnly(10);
  }

  @Test
  void zeroGivesEveryDeliveryItsLine() {
    DeliveryLogLimit limit = new DeliveryLogLimit(0, this::later, summaries::add);
    long now = System.nanoTime();
    for (int i = 0; i < 10_000; i++) {
      assertThat(limit.lineFor(now)).isTrue();
    }
  }

  @Test
  void concurrentDeliveriesInOneSecondShareTheLimitExactly() throws Exception {
    DeliveryLogLimit limit = new DeliveryLogLimit(100, this::later, summaries::add);
    long now = System.nanoTime();
    AtomicInteger lines = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        all.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 1_000; i++) {
                    if (limit.lineFor(now)) {
                      lines.incrementAndGet();
                    } else {
                      limit.unlogged("done");
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> each : all) {
        each.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(lines).hasValue(100);
    limit.summarize();
    assertThat(String.join("\n", summaries)).contains("15900 deliveries").endsWith(": 15900 done");
  }

  @Test
  void theSummaryFollowsByItselfAboutASecondLater() throws Exception {
    DeliveryLogLimit limit = new DeliveryLogLimit(1, this::later, summaries::add);
    long now = System.nanoTime();
    assertThat(limit.lineFor(now)).isTrue();
    assertThat(limit.lineFor(now)).isFalse();
    limit.unlogged("done");
    long deadline = System.nanoTime() + 10 * SECOND;
    while (summaries.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(summaries).singleElement().asString().endsWith(": 1 done");
  }

  @Test
  void anEndpointLogsTheLimitsLinesAndTellsTheRestWhenItCloses() throws Exception {
    String secret = "whsec_log_limit";
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    WebhookConfig config = WebhookConfig.builder().secrets(secret).deliveryLogLines(2).build();
    List<String> messages;
    try (LogCapture log = LogCapture.of(WebhookEndpoint.DELIVERY_LOGGER)) {
      try (WebhookEndpoint endpoint =
          WebhookEndpoint.builder(config)
              .handlers(EventHandlers.of(TestHandlers.on("*", event -> {})))
              .build()) {
        for (int i = 0; i < 5; i++) { // one done, then duplicates
          endpoint.deliver(
              TestDelivery.signed(body, SignedPayload.of(body).secret(secret).header()), null);
        }
      }
      messages = log.records().stream().map(LogRecord::getMessage).toList();
    }
    assertThat(messages)
        .as("2 lines (more if a second began), then the summary")
        .hasSizeBetween(3, 5);
    assertThat(messages.get(0)).contains(" payment_intent.succeeded: 200 done in ");
    assertThat(messages.get(messages.size() - 1))
        .startsWith("Stripe webhook endpoint 'default': ")
        .endsWith(
            " had no line of their own (more than 2 a second): "
                + (6 - messages.size())
                + " duplicate");
  }

  @Test
  void theSharedTimerRunsChoresOnOneDaemonThreadOfItsOwn() throws Exception {
    String[] ranOn = new String[1];
    boolean[] daemon = new boolean[1];
    CountDownLatch ran = new CountDownLatch(1);
    SharedTimer.once(
        () -> {
          ranOn[0] = Thread.currentThread().getName();
          daemon[0] = Thread.currentThread().isDaemon();
          ran.countDown();
        },
        0);
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ranOn[0]).isEqualTo("stripe-webhook-timer");
    assertThat(daemon[0]).isTrue();
    assertThat(SharedTimer.threads()).isLessThanOrEqualTo(1);
  }

  @Test
  void theDefaultIsAHundredASecondAndANegativeLimitIsRefused() {
    assertThat(WebhookConfig.builder().secrets("whsec_x").build().operations().deliveryLogLines())
        .isEqualTo(100);
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> WebhookConfig.builder().deliveryLogLines(-1))
        .withMessageContaining(WebhookConfig.Keys.DELIVERY_LOG_LINES);
  }
}
