// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the pipeline does with faults, through the filter: a handler's Error, a servlet that throws,
 * a body trickled in, a forged log line, fields longer than the columns, and twenty copies of one
 * event at once. Each is a defect found from outside; each test fails without its fix.
 */
class DeliveryFaultsTest {
  static final String SECRET = "whsec_delivery_faults";
  static final AtomicInteger runs = new AtomicInteger();
  static final AtomicInteger servletCalls = new AtomicInteger();
  static JettyServer server;
  static EventInbox memory;
  static EventInbox h2;

  static final StripeEventHandler HANDLER =
      new StripeEventHandler() {
        @Override
        public Set<String> eventTypes() {
          return Set.of("*");
        }

        @Override
        public void handle(VerifiedEvent event) {
          runs.incrementAndGet();
          switch (event.type()) {
            case "invoice.payment_failed" -> throw new AssertionError("poison: secret detail");
            case "charge.refunded" -> throw new StackOverflowError();
            case "customer.created" -> pause(300); // slow: concurrent copies arrive meanwhile
            default -> {}
          }
        }
      };

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static WebhookConfig config(String endpoint) {
    return WebhookConfig.builder()
        .secrets(SECRET)
        .endpoint(endpoint)
        .bodyTimeout(Duration.ofSeconds(1))
        .build();
  }

  @BeforeAll
  static void start() throws Exception {
    memory = new InMemoryEventInbox(InboxOptions.defaults());
    JdbcDataSource database = new JdbcDataSource();
    database.setURL("jdbc:h2:mem:delivery-faults;DB_CLOSE_DELAY=-1");
    h2 = JdbcEventInbox.create(database, InboxOptions.defaults());
    server =
        new JettyServer()
            .filter(
                "/memory",
                new StripeWebhookFilter(config("memory"), EventHandlers.of(HANDLER), memory))
            .filter("/h2", new StripeWebhookFilter(config("h2"), EventHandlers.of(HANDLER), h2))
            .filter("/behind", new StripeWebhookFilter(config("behind"), EventHandlers.none()))
            .servlet(
                "/behind",
                new HttpServlet() {
                  @Override
                  protected void doPost(HttpServletRequest request, HttpServletResponse response) {
                    servletCalls.incrementAndGet();
                    throw new IllegalStateException("servlet failed: secret detail");
                  }
                })
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static HttpResponse<String> send(String path, byte[] body) throws Exception {
    return new WebhookSender(server.uri(path), SECRET).send(body);
  }

  static String id(byte[] body) {
    return com.google.gson.JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
        .getAsJsonObject()
        .get("id")
        .getAsString();
  }

  @Test
  void anErrorFromAHandlerFailsThatEventWithAProblemAndNoExceptionText() throws Exception {
    for (String path : List.of("/memory", "/h2")) {
      for (String type : List.of("invoice.payment_failed", "charge.refunded")) {
        byte[] body = StripeFixtures.event(type);
        HttpResponse<String> response = send(path, body);
        assertThat(response.statusCode()).as(path + " " + type).isEqualTo(500);
        assertThat(response.headers().firstValue("Content-Type"))
            .hasValue("application/problem+json");
        assertThat(response.body())
            .contains("\"reason\":\"handler-failed\"")
            .doesNotContain("secret detail")
            .doesNotContain("Error");
        EventInbox inbox = path.equals("/memory") ? memory : h2;
        assertThat(inbox.find(id(body)).orElseThrow().status()).isEqualTo(InboxStatus.FAILED);
        // Not held: the next delivery runs it again at once instead of 409 until a lease ends.
        assertThat(send(path, body).statusCode()).isEqualTo(500);
        assertThat(inbox.find(id(body)).orElseThrow().attempts()).isEqualTo(2);
      }
    }
  }

  @Test
  void aServletThatThrowsIsAProblemNotTheContainersErrorPage() throws Exception {
    int before = servletCalls.get();
    byte[] body = StripeFixtures.event("invoice.paid");
    List<HttpResponse<String>> responses = new ArrayList<>();
    List<String> lines = deliveryLines(() -> responses.add(send("/behind", body)));
    HttpResponse<String> response = responses.get(0);
    assertThat(servletCalls.get()).isEqualTo(before + 1);
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body())
        .contains("\"reason\":\"handler-failed\"")
        .doesNotContain("secret detail")
        .doesNotContain("<html");
    // The log line says what Stripe got (it said "200 passed-down" when the servlet threw).
    assertThat(lines)
        .singleElement()
        .asString()
        .startsWith(id(body) + " invoice.paid: 500" + " handler-failed in ");
  }

  interface Sending {
    void run() throws Exception;
  }

  /** The lines {@code sending} wrote on the delivery log. */
  static List<String> deliveryLines(Sending sending) throws Exception {
    try (LogCapture log = LogCapture.of(WebhookEndpoint.DELIVERY_LOGGER)) {
      sending.run();
      return log.messages();
    }
  }

  @Test
  void aBodyTrickledInIsCutOffAtTheDeadline() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    String header = SignedPayload.of(body).secret(SECRET).header();
    URI uri = server.uri("/memory");
    long started = System.nanoTime();
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /memory HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Stripe-Signature: "
                  + header
                  + "\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      // One byte every 200 ms: each resets the idle timeout; the 1 s body deadline does not.
      for (int i = 0; i < 20 && in.available() == 0; i++) {
        out.write(body[i]);
        out.flush();
        pause(200);
      }
      String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(answer).isEqualTo("HTTP/1.1 408");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void aNewlineInASignedEventIdCannotForgeADeliveryLogLine() throws Exception {
    JsonObject event = StripeFixtures.eventJson("invoice.paid");
    event.addProperty("id", "evt_forged\nevt_1 invoice.paid: 200 done in 0 ms from 3.18.12.63");
    List<String> lines =
        deliveryLines(
            () ->
                assertThat(send("/memory", StripeFixtures.toBytes(event)).statusCode())
                    .isEqualTo(200));
    assertThat(lines)
        .singleElement()
        .asString()
        .doesNotContain("\n")
        .startsWith("evt_forged\\nevt_1 invoice.paid");
  }

  @Test
  void fieldsLongerThanTheColumnsAreAClearRefusalOnEveryInbox() throws Exception {
    for (String path : List.of("/memory", "/h2")) {
      JsonObject longId = StripeFixtures.eventJson("invoice.paid");
      longId.addProperty("id", "evt_" + "x".repeat(300));
      JsonObject longVersion = StripeFixtures.eventJson("invoice.paid");
      longVersion.addProperty("api_version", "2026-" + "y".repeat(80));
      JsonObject farFuture = StripeFixtures.eventJson("invoice.paid");
      farFuture.addProperty("created", 400_000_000_000L);
      for (JsonObject event : List.of(longId, longVersion, farFuture)) {
        HttpResponse<String> response = send(path, StripeFixtures.toBytes(event));
        assertThat(response.statusCode()).as(path).isEqualTo(400);
        assertThat(response.body()).contains("\"reason\":\"unstorable-event\"");
      }
    }
  }

  @Test
  void twentyCopiesOfOneEventAtOnceRunItOnceAndAreAll200() throws Exception {
    for (String path : List.of("/memory", "/h2")) {
      byte[] body = StripeFixtures.event("customer.created");
      int before = runs.get();
      ExecutorService pool = Executors.newFixedThreadPool(20);
      try {
        List<Callable<Integer>> copies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          copies.add(() -> send(path, body).statusCode());
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> status : pool.invokeAll(copies)) {
          statuses.add(status.get());
        }
        assertThat(statuses).as(path).containsOnly(200).hasSize(20);
      } finally {
        pool.shutdownNow();
      }
      assertThat(runs.get() - before).as(path).isEqualTo(1);
    }
  }
}
