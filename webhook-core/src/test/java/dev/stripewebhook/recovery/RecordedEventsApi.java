// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.recovery;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import dev.stripewebhook.testing.StripeFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local server that answers as Stripe's Events API does: three realistic events in two pages,
 * newest first, {@code has_more} and {@code starting_after} paging. Shared by the recovery's tests
 * and the command line's.
 */
public final class RecordedEventsApi {
  public static final String SECRET = "whsec_recovery_endpoint_secret";
  public static final String API_KEY = "sk_test_recorded_recovery_key";
  public static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** Each request as "METHOD decoded-query". */
  public final List<String> queries = new CopyOnWriteArrayList<>();

  public HttpServer server;
  public JsonObject newest;
  public JsonObject middle;
  public JsonObject oldest;

  public void start() throws IOException {
    newest = event("evt_1RecNewest000000000001", "invoice.paid", NOW.minus(Duration.ofHours(1)));
    middle = event("evt_1RecMiddle000000000002", "charge.refunded", NOW.minus(Duration.ofDays(2)));
    try (InputStream in = RecordedEventsApi.class.getResourceAsStream("account.updated.json")) {
      // A real Connect event in API version 2020-08-27, moved into the range.
      oldest =
          JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .getAsJsonObject();
    }
    oldest.addProperty("id", "evt_1RecOldest000000000003");
    oldest.addProperty("created", NOW.minus(Duration.ofDays(20)).getEpochSecond());

    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/events",
        exchange -> {
          String query =
              URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
          queries.add(exchange.getRequestMethod() + " " + query);
          boolean second = query.contains("starting_after=" + id(middle));
          byte[] page = page(second, second ? List.of(oldest) : List.of(newest, middle));
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.getResponseHeaders().add("Request-Id", "req_" + UUID.randomUUID());
          exchange.sendResponseHeaders(200, page.length);
          exchange.getResponseBody().write(page);
          exchange.close();
        });
    server.start();
  }

  public void stop() {
    server.stop(0);
  }

  /** The base address to give the Stripe client or {@code --api-base}. */
  public String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public static String id(JsonObject event) {
    return event.get("id").getAsString();
  }

  static JsonObject event(String id, String type, Instant created) {
    JsonObject event = StripeFixtures.eventJson(type);
    event.addProperty("id", id);
    event.addProperty("created", created.getEpochSecond());
    event.addProperty("pending_webhooks", 0);
    return event;
  }

  /** A page as Stripe writes it: pretty-printed, nulls kept. */
  static byte[] page(boolean last, List<JsonObject> events) {
    JsonObject page = new JsonObject();
    page.addProperty("object", "list");
    JsonArray data = new JsonArray();
    events.forEach(data::add);
    page.add("data", data);
    page.addProperty("has_more", !last);
    page.addProperty("url", "/v1/events");
    return new GsonBuilder()
        .setPrettyPrinting()
        .serializeNulls()
        .create()
        .toJson(page)
        .getBytes(StandardCharsets.UTF_8);
  }
}
