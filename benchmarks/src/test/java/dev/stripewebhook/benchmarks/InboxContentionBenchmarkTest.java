// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.InboxStatus;
import org.junit.jupiter.api.Test;

/** Runs deliveries without JMH, so that the benchmark cannot rot. */
class InboxContentionBenchmarkTest {
  @Test
  void everyDeliveryStoresANewEventAndTheFullInboxForgetsTheOldest() throws Exception {
    InboxContentionBenchmark benchmark = new InboxContentionBenchmark();
    InboxContentionBenchmark.Shared shared = new InboxContentionBenchmark.Shared();
    shared.setUp(10);
    InboxContentionBenchmark.Request request = new InboxContentionBenchmark.Request();

    for (int i = 0; i < 250; i++) { // two and a half rounds of the events
      assertThat(benchmark.receiveAndFinish(shared, request)).isEqualTo(Outcome.DONE);
    }

    assertThat(shared.cameRound.sum()).isZero();
    assertThat(shared.inbox.countByStatus()).containsEntry(InboxStatus.DONE, 10L);
  }
}
