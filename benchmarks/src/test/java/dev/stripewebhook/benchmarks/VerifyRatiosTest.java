// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.benchmarks.VerifyRatios.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ratios are taken against the baseline of the same size and layout. */
class VerifyRatiosTest {
  @Test
  void eachRowAgainstTheBaselineOfItsSizeAndLayout() {
    String table =
        VerifyRatios.table(
            List.of(
                new Row("3k", "compact", "stripeJavaConstructEvent", 20_000, 80_000),
                new Row("3k", "compact", "oursVerifyAndDataObject", 40_000, 20_000),
                new Row("3k", "compact", "oursVerifyEnvelope", 100_000, 1_600),
                new Row("3k", "pretty", "stripeJavaConstructEvent", 10_000, 100_000),
                new Row("3k", "pretty", "oursVerifyAndDataObject", 12_500, 25_000)));

    assertThat(table)
        .contains(
            "| 3k | compact | oursVerifyAndDataObject | 25.0 | 20,000 | 0.50 | ≤ 0.6: met | 0.25 |")
        .contains(
            "| 3k | compact | oursVerifyEnvelope | 10.0 | 1,600 | 0.20 | ≤ 0.1: MISSED | 0.02 |")
        .contains(
            "| 3k | pretty | oursVerifyAndDataObject | 80.0 | 25,000 | 0.80 | ≤ 0.6: MISSED | 0.25 |")
        .contains("| 3k | pretty | stripeJavaConstructEvent | 100.0 | 100,000 | 1.00 |  | 1.00 |");
  }
}
