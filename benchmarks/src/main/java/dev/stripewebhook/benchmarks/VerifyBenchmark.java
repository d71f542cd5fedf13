// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.net.Webhook;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.benchmarks.Payloads.Payload;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One verified delivery, five ways, on the same signed bytes: stripe-java's {@code
 * Webhook.constructEvent} as users write it by hand, our verifier building the same {@link Event}
 * and data object, our verifier giving the data object as handlers ask for it, our verifier alone
 * (what the filter does on the request path), and the bare HMAC-SHA256 underneath all of them. The
 * clock is fixed, so the signatures stay valid. Each size comes compact and pretty-printed (as
 * Stripe sends it). {@link VerifyRatios} runs the rows the targets are set on and prints their
 * ratios to {@code constructEvent} from the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 4, time = 2)
public class VerifyBenchmark {
  /** The event and its typed data object, as a handler that uses the full Event sees them. */
  public record EventAndObject(Event event, StripeObject dataObject) {}

  @Param({"1k", "3k", "16k", "64k"})
  public String size;

  /** {@code compact}: no whitespace; {@code pretty}: indented, as Stripe sends webhook bodies. */
  @Param({"compact", "pretty"})
  public String layout = "compact";

  private Payload payload;
  private byte[] body;
  private String header;
  private SignatureVerifier verifier;
  private Mac mac;
  private byte[] signedPrefix;

  @Setup
  public void setUp() throws Exception {
    payload = Payloads.of(size, Payloads.Layout.of(layout));
    body = payload.body();
    header = payload.header();
    verifier =
        SignatureVerifier.create(
            WebhookConfig.builder()
                .secrets(Payloads.SECRET)
                .clock(Payloads.CLOCK)
                .tolerance(Duration.ofSeconds(Webhook.DEFAULT_TOLERANCE))
                .build());
    mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Payloads.SECRET.getBytes(UTF_8), "HmacSHA256"));
    signedPrefix = (Payloads.SIGNED_AT + ".").getBytes(US_ASCII);
  }

  /** What users write by hand: decode, verify and bind with stripe-java, then the data object. */
  @Benchmark
  public EventAndObject stripeJavaConstructEvent() throws Exception {
    Event event =
        Webhook.constructEvent(
            new String(body, UTF_8),
            header,
            Payloads.SECRET,
            Webhook.DEFAULT_TOLERANCE,
            Payloads.CLOCK);
    return new EventAndObject(event, event.getDataObjectDeserializer().getObject().orElseThrow());
  }

  /** The same result our way: verify the bytes, read the envelope, then build the Event. */
  @Benchmark
  public EventAndObject oursVerifyAndEvent() throws Exception {
    Event event = verifier.verify(body, header).event();
    return new EventAndObject(event, event.getDataObjectDeserializer().getObject().orElseThrow());
  }

  /** What a handler writes: {@code event.dataObject(PaymentIntent.class)}. */
  @Benchmark
  public StripeObject oursVerifyAndDataObject() throws Exception {
    return verifier.verify(body, header).dataObject();
  }

  /** The filter's request path: verify and read the envelope; no Event is built. */
  @Benchmark
  public VerifiedEvent oursVerifyEnvelope() throws Exception {
    return verifier.verify(body, header);
  }

  /** The floor: HMAC-SHA256 of {@code t + "." + body} on a clone of a pre-initialised Mac. */
  @Benchmark
  public byte[] hmacFloor() throws Exception {
    Mac copy = (Mac) mac.clone();
    copy.update(signedPrefix);
    return copy.doFinal(body);
  }

  /** The payload of the current size, for tests. */
  Payload payload() {
    return payload;
  }
}
