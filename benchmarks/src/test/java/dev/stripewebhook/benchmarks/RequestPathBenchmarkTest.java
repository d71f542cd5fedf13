// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runs a few deliveries without JMH, so that the benchmark cannot rot. */
class RequestPathBenchmarkTest {
  @ParameterizedTest
  @CsvSource({"envelope,compact", "dataObject,compact", "envelope,pretty", "dataObject,pretty"})
  void everyDeliveryIsANewEventHandled(String handlerReads, String layout) {
    RequestPathBenchmark benchmark = new RequestPathBenchmark();
    benchmark.deliveryLog = "OFF";
    benchmark.handlerReads = handlerReads;
    benchmark.layout = layout;
    benchmark.setUp();
    try {
      for (int i = 0; i < 3; i++) {
        assertThat(benchmark.deliver().outcome()).isEqualTo("done");
      }
      if (handlerReads.equals("dataObject")) {
        assertThat(benchmark.amounts()).isPositive();
      } else {
        assertThat(benchmark.amounts()).isZero();
      }
    } finally {
      benchmark.tearDown();
    }
  }
}
