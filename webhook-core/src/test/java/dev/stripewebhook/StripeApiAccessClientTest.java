// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.stripe.StripeClient;
import com.stripe.events.V1BillingMeterErrorReportTriggeredEventNotification;
import com.stripe.exception.ApiConnectionException;
import com.stripe.model.v2.core.EventNotification;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client an endpoint builds from its API key runs in a delivery's request thread: against an
 * API that accepts the connection and never answers, a fetch fails within the endpoint's timeout
 * (not stripe-java's 80 s read timeout) and is tried once, not again and again; an answer is read
 * only up to a bound; a failure's message is one log-safe line.
 */
class StripeApiAccessClientTest {
  private ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();

  @BeforeEach
  void startSilentServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  accepted.add(server.accept()); // read nothing, answer nothing
                  connections.incrementAndGet();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "silent-api");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    for (Socket socket : accepted) {
      socket.close();
    }
  }

  @Test
  void aFetchFromAnApiThatNeverAnswersFailsWithinTheTimeoutAndIsNotRepeated() {
    var fetches = new CopyOnWriteArrayList<Boolean>();
    StripeApiAccess api =
        StripeApiAccess.of(
            StripeApiAccess.client(
                "rk_test_silent",
                Duration.ofMillis(500),
                1 << 20,
                "http://127.0.0.1:" + server.getLocalPort()),
            true,
            (ok, nanos) -> fetches.add(ok));

    ThinEventFetchException failure =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () ->
                assertThrows(
                    ThinEventFetchException.class,
                    () -> api.fetch("evt_silent", "/v1/payment_intents/pi_1", null)));

    assertEquals(1, connections.get(), "one request, no network retries");
    assertEquals(List.of(false), fetches, "the failed fetch is counted once");
    assertEquals(false, failure.getMessage().contains("rk_test_silent"));
  }

  @Test
  void anAnswerLongerThanTheBoundIsNotReadButFailsTheFetch() throws IOException {
    HttpServer big = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    big.createContext(
        "/",
        exchange -> {
          byte[] chunk =
              ("{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"metadata\":{\"x\":\""
                      + "a".repeat(4000))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, 0);
          try (var out = exchange.getResponseBody()) {
            for (int i = 0; i < 1000; i++) { // 4 MB, never closed as JSON
              out.write(chunk);
            }
          } catch (IOException e) {
            // the client stopped reading
          }
        });
    big.start();
    try {
      StripeApiAccess api =
          StripeApiAccess.of(
              StripeApiAccess.client(
                  "rk_test_big",
                  Duration.ofSeconds(5),
                  64 * 1024,
                  "http://127.0.0.1:" + big.getAddress().getPort()),
              true,
              (ok, nanos) -> {});
      ThinEventFetchException failure =
          assertThrows(
              ThinEventFetchException.class,
              () -> api.fetch("evt_big", "/v1/payment_intents/pi_1", null));
      assertInstanceOf(ApiConnectionException.class, failure.getCause());
      assertTrue(failure.getCause().getMessage().contains("more than 65536 bytes"));
    } finally {
      big.stop(0);
    }
  }

  @Test
  void aFailedFetchsMessageIsOneLineWhateverTheSignedEventIdHolds() throws IOException {
    int closedPort;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = closed.getLocalPort();
    }
    StripeApiAccess api =
        StripeApiAccess.of(
            StripeApiAccess.client(
                "rk_test_x", Duration.ofSeconds(5), 1024, "http://127.0.0.1:" + closedPort),
            true,
            (ok, nanos) -> {});
    ThinEventFetchException failure =
        assertThrows(
            ThinEventFetchException.class,
            () -> api.fetch("evt_1\nSEVERE: forged line", "/v1/payment_intents/pi_1", null));
    assertFalse(failure.getMessage().contains("\n"), failure.getMessage());
    assertTrue(failure.getMessage().contains("evt_1\\nSEVERE"), failure.getMessage());
  }

  @Test
  void aRelatedObjectUrlNamingAnotherHostIsNotRequestedWithTheKey() throws Exception {
    List<String> stripeRequests = new CopyOnWriteArrayList<>();
    List<String> elsewhereRequests = new CopyOnWriteArrayList<>();
    HttpServer stripe = recordingServer(stripeRequests);
    HttpServer elsewhere = recordingServer(elsewhereRequests);
    try {
      StripeClient client =
          StripeApiAccess.client(
              "rk_test_not_for_others",
              Duration.ofSeconds(5),
              1 << 20,
              "http://127.0.0.1:" + stripe.getAddress().getPort());
      // A validly signed notification (a leaked webhook secret is enough): appended to the API
      // base, "@host:port/..." names another host, which stripe-java would send the key to.
      for (String url :
          List.of(
              "@127.0.0.1:" + elsewhere.getAddress().getPort() + "/v1/billing/meters/mtr_1",
              ".localhost:" + elsewhere.getAddress().getPort() + "/v1/billing/meters/mtr_1")) {
        String json =
            "{\"id\":\"evt_test_1\",\"object\":\"v2.core.event\","
                + "\"type\":\"v1.billing.meter.error_report_triggered\","
                + "\"created\":\"2026-12-01T00:00:00.000Z\",\"livemode\":false,"
                + "\"related_object\":{\"id\":\"mtr_1\",\"type\":\"billing.meter\","
                + "\"url\":\""
                + url
                + "\"}}";
        var notification =
            (V1BillingMeterErrorReportTriggeredEventNotification)
                EventNotification.fromJson(json, client);
        assertThrows(Exception.class, notification::fetchRelatedObject);
      }
      assertEquals(List.of(), elsewhereRequests);
      assertEquals(List.of(), stripeRequests);
    } finally {
      stripe.stop(0);
      elsewhere.stop(0);
    }
  }

  private static HttpServer recordingServer(List<String> authorizations) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    server.start();
    return server;
  }
}
