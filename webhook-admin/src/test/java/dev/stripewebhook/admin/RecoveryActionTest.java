// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's "Recover from Stripe" over HTTP, on embedded Jetty with the filter at {@code /hook}
 * and the console at {@code /admin/*}, against a local server that answers as Stripe's Events API
 * does.
 */
class RecoveryActionTest {
  static final String API_KEY = "sk_test_admin_recovery_key_51Hx";

  private final List<String> queries = new CopyOnWriteArrayList<>();
  private final List<String> v2Queries = new CopyOnWriteArrayList<>();
  private List<JsonObject> listedV2;
  private LogCapture log;
  private HttpServer stripe;
  private AdminTestApp app;
  private List<JsonObject> listed;
  private volatile boolean rejectKey;

  @BeforeEach
  void startStripe() throws IOException {
    log = LogCapture.of("dev.stripewebhook");
    listed =
        List.of(
            event("invoice.paid", Duration.ofHours(1)),
            event("charge.refunded", Duration.ofHours(20)),
            event("customer.subscription.updated", Duration.ofDays(2)));
    stripe = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stripe.createContext(
        "/v1/events",
        exchange -> {
          queries.add(
              URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
          JsonObject page = new JsonObject();
          int status = 200;
          if (rejectKey) {
            status = 401;
            JsonObject error = new JsonObject();
            error.addProperty("message", "Invalid API Key provided: sk_test_****851Hx");
            error.addProperty("type", "invalid_request_error");
            page.add("error", error);
          } else {
            page.addProperty("object", "list");
            JsonArray data = new JsonArray();
            listed.forEach(data::add);
            page.add("data", data);
            page.addProperty("has_more", false);
            page.addProperty("url", "/v1/events");
          }
          byte[] body = StripeFixtures.toBytes(page);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    // The v2 Events API: v2 event resources (the notification plus data and changes), one page.
    listedV2 =
        List.of(
            v2Event("v2.core.event_destination.ping", Duration.ofHours(2)),
            v2Event("v1.billing.meter.error_report_triggered", Duration.ofHours(30)),
            v2Event("v2.core.account.updated", Duration.ofDays(2)));
    stripe.createContext(
        "/v2/core/events",
        exchange -> {
          v2Queries.add(
              URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
          JsonObject page = new JsonObject();
          JsonArray data = new JsonArray();
          listedV2.forEach(data::add);
          page.add("data", data);
          page.add("next_page_url", null);
          page.add("previous_page_url", null);
          byte[] body = StripeFixtures.toBytes(page);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    stripe.start();
  }

  private static JsonObject v2Event(String type, Duration ago) {
    JsonObject event = StripeFixtures.thinEventJson(type);
    event.addProperty("created", Instant.now().minus(ago).toString());
    event.add("context", null);
    event.add("reason", null);
    event.add("changes", null);
    JsonObject data = new JsonObject();
    data.addProperty("developer_message_summary", "recorded");
    event.add("data", data);
    return event;
  }

  @AfterEach
  void stop() throws Exception {
    log.close();
    if (app != null) {
      app.close();
    }
    stripe.stop(0);
  }

  private static JsonObject event(String type, Duration ago) {
    JsonObject event = StripeFixtures.eventJson(type);
    event.addProperty("created", Instant.now().minus(ago).getEpochSecond());
    return event;
  }

  private static String id(JsonObject event) {
    return event.get("id").getAsString();
  }

  /** Starts the application, its console recovering with {@code apiKey} (null: none). */
  private void start(String apiKey) throws Exception {
    app =
        new AdminTestApp(
            WebhookConfig.Processing.SYNC,
            new StripeWebhookAdminServlet(
                new RecoveryAction(
                    () -> apiKey, "http://127.0.0.1:" + stripe.getAddress().getPort())));
    app.failure = "ledger down";
  }

  /** The form as a browser posts it with "only undelivered" checked. */
  private String form(String token, String days) {
    return "csrf=" + token + "&days=" + days + "&undelivered=false&undelivered=true&type=";
  }

  private int runs(JsonObject event) {
    return app.runs(id(event));
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  @Test
  void listPageOffersTheFormWithThreeDaysAndOnlyUndeliveredChecked() throws Exception {
    start(API_KEY);

    String page = app.get("/admin/").body();

    assertThat(page)
        .contains("id=\"recover-form\"")
        .contains("action=\"/admin/recover\"")
        .contains("name=\"days\" min=\"1\" max=\"30\" value=\"3\"")
        .contains("name=\"undelivered\" value=\"true\" checked")
        .doesNotContain("recover-not-configured")
        .doesNotContain(API_KEY);
  }

  @Test
  void recoversTheMissedEventsOnceAndASecondRunHandlesNothingAgain() throws Exception {
    start(API_KEY);
    JsonObject delivered = listed.get(1);
    new WebhookSender(app.uri("/hook"), AdminTestApp.SECRET)
        .send(StripeFixtures.toBytes(delivered));
    long threeDaysAgo = Instant.now().minus(Duration.ofDays(3)).getEpochSecond();
    String token = app.csrfToken();

    HttpResponse<String> first = app.post("/admin/recover", form(token, "3"));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body())
        .contains("<h1>Recovered from Stripe</h1>")
        .contains("id=\"recovery-listed\">3<")
        .contains("id=\"recovery-stored\">2<")
        .contains("id=\"recovery-already-present\">1<")
        .contains("id=\"recovery-processed\">2<")
        .contains("id=\"recovery-failed\">0<")
        .contains("last 3 days, undelivered only");
    for (JsonObject event : listed) {
      assertThat(runs(event)).as(id(event)).isEqualTo(1);
    }
    assertThat(queries).hasSize(1);
    String query = queries.get(0);
    assertThat(query).contains("delivery_success=false").doesNotContain("type=");
    int at = query.indexOf("created[gte]=") + "created[gte]=".length();
    int end = query.indexOf('&', at);
    assertThat(Long.parseLong(end < 0 ? query.substring(at) : query.substring(at, end)))
        .isBetween(threeDaysAgo - 5, threeDaysAgo + 5);
    assertThat(json(app.get("/admin/api/events/" + id(listed.get(0)))).get("status").getAsString())
        .isEqualTo("done");

    HttpResponse<String> second = app.postWithToken("/admin/api/recover", token);

    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonObject report = json(second);
    assertThat(report.get("days").getAsInt()).isEqualTo(3);
    assertThat(report.get("undeliveredOnly").getAsBoolean()).isTrue();
    assertThat(report.get("listed").getAsInt()).isEqualTo(3);
    assertThat(report.get("stored").getAsInt()).isZero();
    assertThat(report.get("alreadyPresent").getAsInt()).isEqualTo(3);
    assertThat(report.get("processed").getAsInt()).isZero();
    assertThat(report.getAsJsonArray("failedEventIds")).isEmpty();
    for (JsonObject event : listed) {
      assertThat(runs(event)).as(id(event)).isEqualTo(1);
    }
  }

  @Test
  void aFailedHandlerIsReportedWithALinkToTheEventPage() throws Exception {
    start(API_KEY);
    app.failing.add(id(listed.get(2)));

    HttpResponse<String> response = app.post("/admin/recover", form(app.csrfToken(), "7"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("id=\"recovery-failed\">1<")
        .contains("id=\"recovery-processed\">2<")
        .contains("<a href=\"/admin/events/" + id(listed.get(2)) + "\">");
    assertThat(json(app.get("/admin/api/events/" + id(listed.get(2)))).get("status").getAsString())
        .isEqualTo("failed");
  }

  @Test
  void uncheckingOnlyUndeliveredAndATypeFilterReachTheQuery() throws Exception {
    start(API_KEY);

    HttpResponse<String> response =
        app.post(
            "/admin/recover",
            "csrf=" + app.csrfToken() + "&days=30&undelivered=false&type=invoice.paid");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("last 30 days, delivered or not, type invoice.paid");
    assertThat(queries.get(0)).doesNotContain("delivery_success").contains("type=invoice.paid");
  }

  @Test
  void refusesMoreThanThirtyDaysOrNoNumberWith400() throws Exception {
    start(API_KEY);
    String token = app.csrfToken();

    HttpResponse<String> tooMany = app.post("/admin/recover", form(token, "31"));
    HttpResponse<String> notANumber = app.post("/admin/recover", form(token, "three"));
    HttpResponse<String> wildcardWithOthers =
        app.post("/admin/recover", "csrf=" + token + "&type=invoice.*,charge.refunded");

    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(tooMany.body()).contains("days: give a whole number of days from 1 to 30");
    assertThat(notANumber.statusCode()).isEqualTo(400);
    assertThat(wildcardWithOthers.statusCode()).isEqualTo(400);
    assertThat(wildcardWithOthers.body()).contains("type: a wildcard type works alone");
    assertThat(queries).isEmpty();
  }

  @Test
  void withoutAnApiKeyTheFormSaysSoAndThePostIsRefusedWith409() throws Exception {
    start(null);
    String token = app.csrfToken();

    assertThat(app.get("/admin/").body())
        .contains("id=\"recover-not-configured\"")
        .contains("STRIPE_API_KEY")
        .contains("stripe.api-key")
        .doesNotContain("id=\"recover-form\"");
    HttpResponse<String> page = app.post("/admin/recover", form(token, "3"));
    HttpResponse<String> api = app.postWithToken("/admin/api/recover", token);

    assertThat(page.statusCode()).isEqualTo(409);
    assertThat(page.body()).contains("Recovery from Stripe is not configured");
    assertThat(api.statusCode()).isEqualTo(409);
    assertThat(api.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(api.body()).contains("STRIPE_API_KEY");
    assertThat(queries).isEmpty();
    assertThat(log.lines())
        .anyMatch(line -> line.contains(AdminTestApp.USER) && line.contains("refused"));
  }

  @Test
  void withoutTheRightCsrfTokenThePostIsRefusedWith403AndStripeIsNotAsked() throws Exception {
    start(API_KEY);
    String token = app.csrfToken();

    HttpResponse<String> none = app.post("/admin/recover", "days=3");
    HttpResponse<String> wrong = app.post("/admin/recover", form("not-" + token, "3"));
    HttpResponse<String> apiWrong = app.postWithToken("/admin/api/recover", "not-" + token);

    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(apiWrong.statusCode()).isEqualTo(403);
    assertThat(queries).isEmpty();
    assertThat(app.runs).isEmpty();
  }

  @Test
  void theLogNamesTheUserAndTheRangeButNeverTheKey() throws Exception {
    start(API_KEY);

    app.post("/admin/recover", form(app.csrfToken(), "5"));

    assertThat(log.lines())
        .anyMatch(
            line ->
                line.contains(" dev.stripewebhook.admin ")
                    && line.contains("Admin " + AdminTestApp.USER)
                    && line.contains("last 5 days, undelivered only")
                    && line.contains("3 listed, 3 stored"));
    assertThat(log.lines()).noneMatch(line -> line.contains(API_KEY));
  }

  @Test
  void aKeyStripeRejectsIsAnswered502WithoutTheKey() throws Exception {
    start(API_KEY);
    rejectKey = true;

    HttpResponse<String> response = app.postWithToken("/admin/api/recover", app.csrfToken());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(json(response).get("error").getAsString())
        .startsWith("Stripe's Events API could not be read (HTTP 401)");
    assertThat(response.body()).doesNotContain(API_KEY).doesNotContain("851Hx");
    assertThat(log.lines()).noneMatch(line -> line.contains(API_KEY));
    assertThat(app.runs).isEmpty();
  }

  @Test
  void recoversThinEventsFromTheV2EventsApiSkippingThoseDeliveredBefore() throws Exception {
    start(API_KEY);
    JsonObject delivered = listedV2.get(1).deepCopy();
    delivered.remove("data");
    delivered.remove("changes");
    new WebhookSender(app.uri("/hook"), AdminTestApp.SECRET)
        .send(StripeFixtures.toBytes(delivered));
    assertThat(app.get("/admin/").body())
        .contains("<select name=\"api\"><option value=\"v1\" selected>")
        .contains("<option value=\"v2\">v2 Events API (thin events)</option>");

    HttpResponse<String> page = app.post("/admin/recover", form(app.csrfToken(), "3") + "&api=v2");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("id=\"recovery-listed\">3<")
        .contains("id=\"recovery-stored\">2<")
        .contains("id=\"recovery-already-present\">1<")
        .contains("id=\"recovery-processed\">2<")
        .contains("undelivered only, any type, from the v2 Events API (thin events)");
    assertThat(queries).isEmpty();
    assertThat(v2Queries).singleElement().asString().contains("created[gte]=");
    for (JsonObject event : listedV2) {
      assertThat(runs(event)).as(id(event)).isEqualTo(1);
    }
    assertThat(json(app.get("/admin/api/events/" + id(listedV2.get(0)))).get("type").getAsString())
        .isEqualTo("v2.core.event_destination.ping");

    HttpResponse<String> again = app.postWithToken("/admin/api/recover?api=v2", app.csrfToken());

    assertThat(again.statusCode()).isEqualTo(200);
    JsonObject report = json(again);
    assertThat(report.get("eventsApi").getAsString()).isEqualTo("v2");
    assertThat(report.get("alreadyPresent").getAsInt()).isEqualTo(3);
    assertThat(report.get("processed").getAsInt()).isZero();
  }

  @Test
  void aWildcardOrAnUnknownApiIsRefusedWith400ForV2() throws Exception {
    start(API_KEY);
    String token = app.csrfToken();

    HttpResponse<String> wildcard =
        app.post("/admin/recover", "csrf=" + token + "&api=v2&type=v1.billing.meter.*");
    HttpResponse<String> unknown = app.post("/admin/recover", "csrf=" + token + "&api=v3");

    assertThat(wildcard.statusCode()).isEqualTo(400);
    assertThat(wildcard.body()).contains("type: the v2 Events API filters by exact types only");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("api: v1 (snapshot events, GET /v1/events) or v2");
    assertThat(v2Queries).isEmpty();
  }
}
