// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeObject;
import com.stripe.net.ApiResource;
import com.stripe.net.Webhook;
import dev.stripewebhook.EventEnvelope;
import java.io.IOException;
import java.io.StringReader;
import java.util.concurrent.TimeUnit;
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
 * The steps inside {@link VerifyBenchmark}'s two Event paths, one at a time, to show where the time
 * goes. stripe-java's {@code constructEvent}: verify the header on the String, parse a tree, bind
 * the Event from the tree, write the tree back out as the Event's "last response". Ours: read the
 * envelope, bind the Event from the String (its {@code data.object} becomes a tree). Both: bind the
 * data object from that tree. Last, binding the data object from the bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 4, time = 2)
public class ParseStepsBenchmark {
  @Param({"3k"})
  public String size;

  /** {@code compact}, or {@code pretty} as Stripe sends events (indented by two spaces). */
  @Param({"compact", "pretty"})
  public String layout = "compact";

  private byte[] body;
  private String payload;
  private String header;
  private JsonObject tree;
  private Event event;

  @Setup
  public void setUp() {
    Payloads.Payload signed = Payloads.of(size, Payloads.Layout.of(layout));
    body = signed.body();
    header = signed.header();
    payload = new String(body, UTF_8);
    tree = ApiResource.GSON.fromJson(payload, JsonObject.class);
    event = oursStringToEvent();
  }

  /** stripe-java's signature check, on the String. */
  @Benchmark
  public boolean stripeVerifyHeader() throws Exception {
    return Webhook.Signature.verifyHeader(
        payload, header, Payloads.SECRET, Webhook.DEFAULT_TOLERANCE, Payloads.CLOCK);
  }

  /** constructEvent's first step: the whole event as a JsonObject tree. */
  @Benchmark
  public JsonObject stripeParseTree() {
    return ApiResource.GSON.fromJson(payload, JsonObject.class);
  }

  /** constructEvent's second step: the Event bound from the tree. */
  @Benchmark
  public Event stripeTreeToEvent() {
    return StripeObject.deserializeStripeObject(
        tree, Event.class, ApiResource.getGlobalResponseGetter());
  }

  /** constructEvent's third step: the tree written back out for the Event's last response. */
  @Benchmark
  public String stripeTreeToString() {
    return tree.toString();
  }

  /** Our request path after the HMAC: the envelope, in one streaming pass. */
  @Benchmark
  public EventEnvelope oursEnvelope() throws Exception {
    return EventEnvelope.read(body);
  }

  /** Our {@code VerifiedEvent.event()}: the Event bound from the String in one pass. */
  @Benchmark
  public Event oursStringToEvent() {
    return StripeObject.deserializeStripeObject(
        payload, Event.class, ApiResource.getGlobalResponseGetter());
  }

  /** Part of the step above: {@code data.object} parsed into the tree the Event keeps. */
  @Benchmark
  public JsonElement dataObjectTree() throws IOException {
    JsonReader reader = readerAtDataObject();
    return JsonParser.parseReader(reader);
  }

  /** Both paths' last step: {@code getDataObjectDeserializer().getObject()}, from the tree. */
  @Benchmark
  public StripeObject dataObjectFromTree() {
    return event.getDataObjectDeserializer().getObject().orElseThrow();
  }

  /** The alternative: the data object bound straight from the text, without a tree. */
  @Benchmark
  public PaymentIntent dataObjectFromText() throws IOException {
    return ApiResource.INTERNAL_GSON.fromJson(readerAtDataObject(), PaymentIntent.class);
  }

  private JsonReader readerAtDataObject() throws IOException {
    JsonReader reader = new JsonReader(new StringReader(payload));
    seek(reader, "data");
    seek(reader, "object");
    return reader;
  }

  private static void seek(JsonReader reader, String member) throws IOException {
    reader.beginObject();
    while (!reader.nextName().equals(member)) {
      reader.skipValue();
    }
  }
}
