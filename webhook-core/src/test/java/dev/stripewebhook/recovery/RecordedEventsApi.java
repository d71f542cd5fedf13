// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.recovery;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
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
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local server that answers as Stripe's Events APIs do. {@code /v1/events}: three realistic
 * events in two pages, newest first, {@code has_more} and {@code starting_after} paging. {@code
 * /v2/core/events}: three v2 events (recorded shapes, {@code v2-events.json}) in two pages, newest
 * first, the first page's {@code next_page_url} naming the second by a {@code page} token. Shared
 * by the recovery's tests and the command line's.
 */
public final class RecordedEventsApi {
  public static final String SECRET = "whsec_recovery_endpoint_secret";
  public static final String API_KEY = "sk_test_recorded_recovery_key";
  public static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** Each request as "METHOD decoded-query". */
  public final List<String> queries = new CopyOnWriteArrayList<>();

  /** Each request to the v2 Events API as "METHOD path?decoded-query". */
  public final List<String> v2Queries = new CopyOnWriteArrayList<>();

  /** The page token of the v2 list's second page. */
  public static final String V2_PAGE_TOKEN = "page_2_tok_5f0e8c1d";

  /** The v2 list's first page's {@code next_page_url}; null: the second page's. */
  public volatile String v2FirstNext;

  /** The v2 list's second page's {@code next_page_url}; null: none (the last page). */
  public volatile String v2SecondNext;

  /** When set, the v2 list's pages after the first are answered this body. */
  public volatile String v2LaterBody;

  /** When set, every request is answered 401 as Stripe answers a wrong key. */
  public volatile boolean rejectKey;

  /** The v2 event resources, newest first. */
  public JsonObject v2Newest;

  public JsonObject v2Middle;
  public JsonObject v2Oldest;

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

    try (InputStream in = RecordedEventsApi.class.getResourceAsStream("v2-events.json")) {
      JsonArray v2 =
          JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .getAsJsonArray();
      v2Newest = v2Event(v2.get(0), NOW.minus(Duration.ofMinutes(30)));
      v2Middle = v2Event(v2.get(1), NOW.minus(Duration.ofDays(3)));
      v2Oldest = v2Event(v2.get(2), NOW.minus(Duration.ofDays(19)));
    }

    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/events",
        exchange -> {
          String query =
              URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
          queries.add(exchange.getRequestMethod() + " " + query);
          boolean second = query.contains("starting_after=" + id(middle));
          byte[] page = page(second, second ? List.of(oldest) : List.of(newest, middle));
          answer(exchange, page);
        });
    server.createContext(
        "/v2/core/events",
        exchange -> {
          String raw = exchange.getRequestURI().getRawQuery();
          String query = raw == null ? "" : URLDecoder.decode(raw, StandardCharsets.UTF_8);
          v2Queries.add(
              exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + "?" + query);
          boolean second = query.equals("page=" + V2_PAGE_TOKEN);
          JsonObject page = new JsonObject();
          JsonArray data = new JsonArray();
          (second ? List.of(v2Oldest) : List.of(v2Newest, v2Middle)).forEach(data::add);
          page.add("data", data);
          if (second && v2LaterBody != null) {
            answer(exchange, v2LaterBody.getBytes(StandardCharsets.UTF_8));
            return;
          }
          if (second) {
            if (v2SecondNext != null) {
              page.addProperty("next_page_url", v2SecondNext);
            } else {
              page.add("next_page_url", JsonNull.INSTANCE);
            }
            page.addProperty("previous_page_url", "/v2/core/events?page=page_1_tok_9a2b");
          } else {
            page.addProperty(
                "next_page_url",
                v2FirstNext != null ? v2FirstNext : "/v2/core/events?page=" + V2_PAGE_TOKEN);
            page.add("previous_page_url", JsonNull.INSTANCE);
          }
          answer(exchange, pretty(page));
        });
    server.start();
  }

  private void answer(HttpExchange exchange, byte[] body) throws IOException {
    int status = 200;
    if (rejectKey) {
      status = 401;
      body =
          ("{\"error\": {\"message\": \"Invalid API Key provided: sk_test_****_key\","
                  + " \"type\": \"invalid_request_error\"}}")
              .getBytes(StandardCharsets.UTF_8);
    }
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.getResponseHeaders().add("Request-Id", "req_" + UUID.randomUUID());
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private static JsonObject v2Event(JsonElement recorded, Instant created) {
    JsonObject event = recorded.getAsJsonObject();
    event.addProperty("created", DateTimeFormatter.ISO_INSTANT.format(created.plusMillis(134)));
    return event;
  }

  /** The thin notification Stripe delivers for a v2 event: the event without data and changes. */
  public static JsonObject notificationOf(JsonObject event) {
    JsonObject notification = event.deepCopy();
    notification.remove("data");
    notification.remove("changes");
    return notification;
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
    return pretty(page);
  }

  private static byte[] pretty(JsonObject page) {
    return new GsonBuilder()
        .setPrettyPrinting()
        .serializeNulls()
        .create()
        .toJson(page)
        .getBytes(StandardCharsets.UTF_8);
  }
}
