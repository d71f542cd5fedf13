// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.model.PaymentIntent;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.benchmarks.Payloads.Payload;
import dev.stripewebhook.benchmarks.VerifyBenchmark.EventAndObject;
import dev.stripewebhook.testing.SignedPayload;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs each benchmark method once per size, without JMH, so that the benchmark cannot rot. */
class VerifyBenchmarkTest {

  @ParameterizedTest
  @CsvSource({
    "1k,compact", "3k,compact", "16k,compact", "64k,compact",
    "1k,pretty", "3k,pretty", "16k,pretty", "64k,pretty"
  })
  void everyBenchmarkVerifiesTheSameEvent(String size, String layout) throws Exception {
    VerifyBenchmark benchmark = new VerifyBenchmark();
    benchmark.size = size;
    benchmark.layout = layout;
    benchmark.setUp();
    Payload payload = benchmark.payload();

    assertThat(payload.body().length)
        .as("payload size")
        .isBetween((int) (payload.nominalBytes() * 0.85), (int) (payload.nominalBytes() * 1.15));
    if (!size.equals("1k")) {
      assertThat(payload.body().length).as("padded to the size").isEqualTo(payload.nominalBytes());
    }
    assertThat(new String(payload.body(), java.nio.charset.StandardCharsets.UTF_8))
        .as("layout")
        .contains(layout.equals("pretty") ? "\n  \"id\": " : "{\"id\":");
    assertEventAndObject(benchmark.stripeJavaConstructEvent(), payload);
    assertEventAndObject(benchmark.oursVerifyAndEvent(), payload);

    assertThat(benchmark.oursVerifyAndDataObject())
        .isInstanceOfSatisfying(
            PaymentIntent.class,
            intent -> assertThat(intent.getId()).isEqualTo(payload.dataObjectId()));

    VerifiedEvent envelope = benchmark.oursVerifyEnvelope();
    assertThat(envelope.id()).isEqualTo(payload.eventId());
    assertThat(envelope.type()).isEqualTo(Payloads.TYPE);
    assertThat(envelope.dataObjectId()).contains(payload.dataObjectId());

    assertThat(HexFormat.of().formatHex(benchmark.hmacFloor()))
        .isEqualTo(SignedPayload.sign(Payloads.SECRET, Payloads.SIGNED_AT, payload.body()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1k", "3k", "16k", "64k"})
  void payloadsAreDeterministic(String size) {
    assertThat(Payloads.of(size).body()).isEqualTo(Payloads.of(size).body());
  }

  private static void assertEventAndObject(EventAndObject result, Payload payload) {
    assertThat(result).isNotNull();
    assertThat(result.event().getId()).isEqualTo(payload.eventId());
    assertThat(result.event().getType()).isEqualTo(Payloads.TYPE);
    assertThat(result.dataObject())
        .isInstanceOfSatisfying(
            PaymentIntent.class,
            intent -> assertThat(intent.getId()).isEqualTo(payload.dataObjectId()));
  }
}
