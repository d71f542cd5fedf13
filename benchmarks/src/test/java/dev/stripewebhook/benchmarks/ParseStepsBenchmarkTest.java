// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Runs each step once, without JMH, so that the breakdown cannot rot. */
class ParseStepsBenchmarkTest {

  @Test
  void everyStepWorksOnTheSamePayload() throws Exception {
    ParseStepsBenchmark steps = new ParseStepsBenchmark();
    steps.size = "3k";
    steps.setUp();
    String eventId = Payloads.of("3k").eventId();

    assertThat(steps.stripeVerifyHeader()).isTrue();
    assertThat(steps.stripeParseTree().get("id").getAsString()).isEqualTo(eventId);
    assertThat(steps.stripeTreeToEvent().getId()).isEqualTo(eventId);
    assertThat(steps.stripeTreeToString()).contains(eventId);
    assertThat(steps.oursEnvelope().id()).isEqualTo(eventId);
    assertThat(steps.oursStringToEvent().getId()).isEqualTo(eventId);
    assertThat(steps.dataObjectTree().getAsJsonObject().get("object").getAsString())
        .isEqualTo("payment_intent");
    assertThat(steps.dataObjectFromText()).isEqualTo(steps.dataObjectFromTree());
  }
}
