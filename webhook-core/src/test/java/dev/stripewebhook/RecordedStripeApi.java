// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local server on 127.0.0.1 answering as Stripe's API does for thin events: the v2 event at
 * {@code GET /v2/core/events/{id}} and the related object at its {@code url}, from recorded
 * responses (see docs/stripe-api-versions.md for where each shape comes from). Each request is kept
 * with its {@code Authorization} and {@code Stripe-Context} headers. Shared by the core's, the
 * filter's and the JAX-RS door's tests.
 */
public final class RecordedStripeApi implements AutoCloseable {
  /** The key the {@link #client()} sends. */
  public static final String API_KEY = "rk_test_recorded_thin_events_key";

  /** One request as received. */
  public record Request(String method, String path, String authorization, String stripeContext) {}

  /** Every request, in order. */
  public final List<Request> requests = new CopyOnWriteArrayList<>();

  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile int failureStatus;
  private final HttpServer server;

  private RecordedStripeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  /** A started server. */
  public static RecordedStripeApi start() {
    try {
      return new RecordedStripeApi();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client of this server with {@link #API_KEY}, without retries. */
  public StripeClient client() {
    return StripeClient.builder()
        .setApiKey(API_KEY)
        .setApiBase("http://127.0.0.1:" + server.getAddress().getPort())
        .setMaxNetworkRetries(0)
        .build();
  }

  /** The next {@code count} requests are answered {@code status} with Stripe's error body. */
  public void fail(int count, int status) {
    failureStatus = status;
    failures.set(count);
  }

  /** The requests to {@code path}. */
  public List<Request> requestsTo(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  /**
   * A {@code v1.billing.meter.error_report_triggered} notification, as Stripe delivers it (the
   * fetched event's shape without {@code data}), with {@code context} (null: none); serves its
   * event and its meter.
   */
  public JsonObject meterErrorReport(String context) {
    JsonObject event = resource("v2.core.event.json");
    String id = "evt_test_65" + random(40);
    String meterId = "mtr_test_61" + random(30);
    event.addProperty("id", id);
    event.addProperty("context", context);
    event.addProperty("created", Instant.now().toString());
    JsonObject related = event.getAsJsonObject("related_object");
    related.addProperty("id", meterId);
    related.addProperty("url", "/v1/billing/meters/" + meterId);
    answers.put("/v2/core/events/" + id, event.toString());
    JsonObject meter = resource("billing.meter.json");
    meter.addProperty("id", meterId);
    meter.addProperty("livemode", false);
    answers.put("/v1/billing/meters/" + meterId, meter.toString());
    JsonObject notification = event.deepCopy();
    notification.remove("data");
    return notification;
  }

  /**
   * A thin notification about a v1 PaymentIntent, of {@code type}, whose {@code related_object} has
   * the documented {@code id}, {@code type}, {@code url}; serves the PaymentIntent.
   */
  public JsonObject paymentIntentNotification(String type, String context) {
    String piId = "pi_" + random(24);
    JsonObject intent = resource("payment_intent.json");
    intent.addProperty("id", piId);
    answers.put("/v1/payment_intents/" + piId, intent.toString());
    JsonObject notification =
        notification(type, context, piId, "payment_intent", "/v1/payment_intents/" + piId);
    JsonObject event = notification.deepCopy();
    event.add("data", new JsonObject());
    answers.put("/v2/core/events/" + notification.get("id").getAsString(), event.toString());
    return notification;
  }

  /**
   * A thin notification whose related object is a snapshot event ({@code /v1/events/evt_...}) of
   * {@code payment_intent.succeeded} in this stripe-java's API version; serves that event.
   */
  public JsonObject snapshotEventNotification(String type) {
    String eventId = "evt_" + random(24);
    JsonObject snapshot = new JsonObject();
    snapshot.addProperty("id", eventId);
    snapshot.addProperty("object", "event");
    snapshot.addProperty("api_version", Stripe.API_VERSION);
    snapshot.addProperty("created", Instant.now().getEpochSecond());
    snapshot.addProperty("livemode", false);
    snapshot.addProperty("pending_webhooks", 0);
    snapshot.addProperty("type", "payment_intent.succeeded");
    JsonObject data = new JsonObject();
    data.add("object", resource("payment_intent.json"));
    snapshot.add("data", data);
    answers.put("/v1/events/" + eventId, snapshot.toString());
    return notification(type, null, eventId, "event", "/v1/events/" + eventId);
  }

  private static JsonObject notification(
      String type, String context, String relatedId, String relatedType, String url) {
    JsonObject notification = new JsonObject();
    notification.addProperty("id", "evt_test_65" + random(40));
    notification.addProperty("object", "v2.core.event");
    notification.addProperty("type", type);
    notification.addProperty("livemode", false);
    notification.addProperty("created", Instant.now().toString());
    notification.addProperty("context", context);
    JsonObject related = new JsonObject();
    related.addProperty("id", relatedId);
    related.addProperty("type", relatedType);
    related.addProperty("url", url);
    notification.add("related_object", related);
    return notification;
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            path,
            exchange.getRequestHeaders().getFirst("Authorization"),
            exchange.getRequestHeaders().getFirst("Stripe-Context")));
    String body = answers.get(path);
    int status = 200;
    if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      status = failureStatus;
      body = "{\"error\":{\"type\":\"api_error\",\"message\":\"recorded failure\"}}";
    } else if (body == null || !"GET".equals(exchange.getRequestMethod())) {
      status = 404;
      body =
          "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\","
              + "\"message\":\"No such object\"}}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.getResponseHeaders().add("Request-Id", "req_" + random(14));
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static JsonObject resource(String name) {
    try (InputStream in = RecordedStripeApi.class.getResourceAsStream("thin/" + name)) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String random(int length) {
    StringBuilder text = new StringBuilder();
    while (text.length() < length) {
      text.append(UUID.randomUUID().toString().replace("-", ""));
    }
    return text.substring(0, length);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
