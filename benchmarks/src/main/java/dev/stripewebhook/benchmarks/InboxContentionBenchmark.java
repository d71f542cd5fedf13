// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import com.google.gson.JsonObject;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookVerificationException;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the in-memory inbox costs a delivery when many request threads use it at once, as a
 * container's do: each operation stores a new event claimed for its delivery and finishes it, the
 * inbox's whole part in a sync delivery, with the inbox full (at its default capacity) so that
 * every store also forgets the oldest done event. Run it with {@code -t 1} and {@code -t 16} (more
 * threads than cores, as a container has): deliveries a millisecond, all threads together; the
 * ratio of the two shows what threads waiting for one another cost. Verifying and handling are not
 * in it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class InboxContentionBenchmark {
  private static final String SECRET = "whsec_contention0123456789abcdefghijklmnopq";

  /**
   * The inbox every thread delivers to, and the events they take in turn: ten times what the inbox
   * holds, so that an event comes round again only long after the inbox forgot it (even to a thread
   * that was descheduled meanwhile), and each delivery stores a new one. Small events: the inbox's
   * work does not depend on the body's size, and there are many of them.
   */
  @State(Scope.Benchmark)
  public static class Shared {
    private static final SignatureVerifier VERIFIER =
        SignatureVerifier.create(WebhookConfig.builder().secrets(SECRET).build());

    final AtomicInteger taken = new AtomicInteger();
    final LongAdder cameRound = new LongAdder();
    EventInbox inbox;
    VerifiedEvent[] events;
    String[] headers;

    @Setup(Level.Trial)
    public void setUp() throws WebhookVerificationException {
      setUp(InboxOptions.defaults().capacity());
    }

    /** An inbox of {@code capacity}, and ten times as many events; tests make it small. */
    void setUp(int capacity) throws WebhookVerificationException {
      inbox = new InMemoryEventInbox(InboxOptions.builder().capacity(capacity).build());
      int count = capacity * 10;
      events = new VerifiedEvent[count];
      headers = new String[count];
      for (int i = 0; i < count; i++) {
        byte[] body = smallEvent();
        headers[i] = SignedPayload.of(body).secret(SECRET).header();
        events[i] = VERIFIER.verify(body, headers[i]);
      }
    }

    /** Says how many deliveries found their event still stored, if any did. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (cameRound.sum() > 0) {
        System.err.printf(
            "%,d of %,d deliveries found their event still stored (answered as duplicates)%n",
            cameRound.sum(), taken.get());
      }
    }
  }

  /** A {@code payment_intent.succeeded} event with the envelope and a minimal object. */
  static byte[] smallEvent() {
    JsonObject event = StripeFixtures.eventJson("payment_intent.succeeded");
    JsonObject object = event.getAsJsonObject("data").getAsJsonObject("object");
    JsonObject small = new JsonObject();
    small.add("id", object.get("id"));
    small.add("object", object.get("object"));
    event.getAsJsonObject("data").add("object", small);
    return StripeFixtures.toBytes(event);
  }

  /** One request thread, owning the claims of its deliveries. */
  @State(Scope.Thread)
  public static class Request {
    private static final AtomicInteger THREADS = new AtomicInteger();

    final String owner = "request-" + THREADS.incrementAndGet();
  }

  /** One sync delivery's part in the inbox: store claimed, run nothing, finish. */
  @Benchmark
  public Outcome receiveAndFinish(Shared shared, Request request) throws InboxException {
    int i = Math.floorMod(shared.taken.getAndIncrement(), shared.events.length);
    VerifiedEvent event = shared.events[i];
    Receipt receipt = shared.inbox.receive(event, shared.headers[i], "127.0.0.1", request.owner);
    if (receipt != Receipt.NEW) { // a thread descheduled for a whole round: a duplicate now
      shared.cameRound.increment();
    }
    return shared.inbox.process(event.id(), request.owner, (record, context) -> {});
  }
}
