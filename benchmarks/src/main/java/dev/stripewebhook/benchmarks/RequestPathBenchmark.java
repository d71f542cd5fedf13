// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import static java.nio.charset.StandardCharsets.US_ASCII;

import com.google.gson.JsonObject;
import com.stripe.model.PaymentIntent;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookSigner;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.pipeline.Decision;
import dev.stripewebhook.pipeline.Delivery;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.testing.StripeFixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-process request path of one delivery: {@link WebhookEndpoint#deliver} with the in-memory
 * inbox and one handler, over a 6 KB {@code payment_intent.succeeded} event built from {@link
 * StripeFixtures}, compact or indented as Stripe sends it, with a unique id and a fresh signature
 * on every call; the body arrives as a stream with its {@code Content-Length}, as from a container.
 * The delivery log is on at INFO (the default) or off; the root handler is replaced by one
 * formatting with JUL's {@code SimpleFormatter} into nothing, so the line costs what it costs in a
 * deployment but for the I/O. The handler reads the envelope only, or the typed data object. Run
 * with {@code -prof gc} for the bytes allocated per delivery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class RequestPathBenchmark {
  static final String SECRET = "whsec_requestpath0123456789abcdefghijklmnopq";
  static final long SIGNED_AT = 1_780_000_000L;
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(SIGNED_AT + 1), ZoneOffset.UTC);
  private static final String ID_PREFIX = "evt_test_";
  static final int BODY_SIZE = 6 * 1024;
  private static final byte[] HEX = "0123456789abcdef".getBytes(US_ASCII);

  /** INFO: the delivery line is written (the default); OFF: it is silenced. */
  @Param({"INFO", "OFF"})
  public String deliveryLog;

  /**
   * What the handler reads: {@code envelope}, only what the envelope gave (the filter's own cost);
   * {@code dataObject}, the typed PaymentIntent, as handlers that use the object do.
   */
  @Param({"envelope", "dataObject"})
  public String handlerReads = "envelope";

  /** How the body is laid out: {@code compact}, or {@code pretty} as Stripe sends it. */
  @Param({"compact", "pretty"})
  public String layout = "compact";

  private long amounts;

  private WebhookEndpoint endpoint;
  private WebhookSigner signer;
  private byte[] body;
  private int idEnd;
  private long sequence;
  private Handler[] rootHandlers;

  @Setup
  public void setUp() {
    body = sixKilobytes(Payloads.Layout.of(layout));
    String text = new String(body, US_ASCII);
    int id = text.indexOf(ID_PREFIX); // the event's: its "id" is the body's first member
    if (id < 0 || id > text.indexOf("\"object\"")) {
      throw new IllegalStateException("the fixture's event id is not an evt_test_ id");
    }
    idEnd = text.indexOf('"', id + ID_PREFIX.length());
    Logger root = LogManager.getLogManager().getLogger("");
    rootHandlers = root.getHandlers();
    for (Handler handler : rootHandlers) {
      root.removeHandler(handler);
    }
    root.addHandler(new StreamHandler(OutputStream.nullOutputStream(), new SimpleFormatter()));
    Logger.getLogger(WebhookEndpoint.DELIVERY_LOGGER).setLevel(Level.parse(deliveryLog));
    WebhookConfig config = WebhookConfig.builder().secrets(SECRET).clock(CLOCK).build();
    signer = WebhookSigner.of(SECRET);
    boolean typed = handlerReads.equals("dataObject");
    StripeEventHandler handler =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("payment_intent.succeeded");
          }

          @Override
          public void handle(VerifiedEvent event) {
            if (typed) {
              amounts += event.dataObject(PaymentIntent.class).getAmount();
            }
          }
        };
    endpoint =
        WebhookEndpoint.builder(config)
            .handlers(EventHandlers.of(handler))
            .inbox(new InMemoryEventInbox(InboxOptions.builder().clock(CLOCK).build()))
            .build();
  }

  @TearDown
  public void tearDown() {
    endpoint.close();
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    for (Handler handler : rootHandlers) {
      root.addHandler(handler);
    }
  }

  /**
   * A {@code payment_intent.succeeded} event of about 6 KB in {@code layout}, the size of a real
   * one: the fixture's object with order lines in its metadata, as a shop puts them there, and its
   * nulls written, as Stripe writes them.
   */
  static byte[] sixKilobytes(Payloads.Layout layout) {
    JsonObject event = StripeFixtures.eventJson("payment_intent.succeeded");
    JsonObject object = event.getAsJsonObject("data").getAsJsonObject("object");
    JsonObject metadata = new JsonObject();
    object.add("metadata", metadata);
    for (int line = 0; layout.bytes(event).length < BODY_SIZE; line++) {
      metadata.addProperty(
          "order_line_" + line, "sku_" + (100_000 + line * 7919) + " x1 EUR 19.90");
    }
    return layout.bytes(event);
  }

  /** One delivery of a new event: answered 200 after the handler ran and the inbox marked it. */
  @Benchmark
  public Decision deliver() {
    long n = ++sequence;
    for (int i = idEnd - 1; i >= idEnd - 16; i--, n >>>= 4) {
      body[i] = HEX[(int) (n & 0xf)];
    }
    String header = "t=" + SIGNED_AT + ",v1=" + signer.hex(SIGNED_AT, body);
    Decision decision = endpoint.deliver(new Wire(body, header), null);
    if (decision.status() != 200) {
      throw new IllegalStateException(decision + " " + decision.detail());
    }
    return decision;
  }

  /** The sum of the amounts the handler read, for tests. */
  long amounts() {
    return amounts;
  }

  /** A POST as a container hands it over: its body a stream over the bytes on the wire. */
  private record Wire(byte[] bytes, String signature) implements Delivery {
    @Override
    public String method() {
      return "POST";
    }

    @Override
    public String peerAddress() {
      return "127.0.0.1";
    }

    @Override
    public List<String> headers(String name) {
      return SignatureVerifier.SIGNATURE_HEADER.equalsIgnoreCase(name)
          ? List.of(signature)
          : List.of();
    }

    @Override
    public long declaredLength() {
      return bytes.length;
    }

    @Override
    public InputStream body() {
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public String target() {
      return "/stripe/webhook";
    }
  }
}
