// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's "Recover from Stripe" over HTTP, on embedded Jetty with the filter at {@code
 * /hook} and the console at {@code /admin/*}, against a local server that answers as Stripe's
 * Events API does.
 */
class RecoveryActionTest {
  static final String SECRET = "whsec_admin_recovery";
  static final String API_KEY = "sk_test_admin_recovery_key_51Hx";
  static final String USER = "ops-bob";
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  private static final Logger LOGS = Logger.getLogger("dev.stripewebhook");

  private final List<String> queries = new CopyOnWriteArrayList<>();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      log.add(record.getLoggerName() + " " + new SimpleFormatter().formatMessage(record));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
  private HttpServer stripe;
  private Server server;
  private List<JsonObject> listed;
  private volatile boolean rejectKey;

  @BeforeEach
  void startStripe() throws IOException {
    LOGS.addHandler(capture);
    listed = List.of(event("invoice.paid", Duration.ofHours(1)),
        event("charge.refunded", Duration.ofHours(20)),
        event("customer.subscription.updated", Duration.ofDays(2)));
    stripe = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stripe.createContext("/v1/events", exchange -> {
      queries.add(URLDecoder.decode(exchange.getRequestURI().getRawQuery(),
          StandardCharsets.UTF_8));
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
    stripe.start();
  }

  @AfterEach
  void stop() throws Exception {
    LOGS.removeHandler(capture);
    if (server != null) {
      server.stop();
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
    server = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler context = new ServletContextHandler("/",
        ServletContextHandler.SESSIONS);
    WebhookConfig config = WebhookConfig.builder().secrets(SECRET)
        .processing(WebhookConfig.Processing.SYNC).attempts(2).build();
    StripeEventHandler handler = new StripeEventHandler() {
      @Override
      public Set<String> eventTypes() {
        return Set.of("*");
      }

      @Override
      public void handle(VerifiedEvent event) {
        runs.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
        if (failing.contains(event.id())) {
          throw new IllegalStateException("ledger down");
        }
      }
    };
    context.addFilter(new FilterHolder(new StripeWebhookFilter(config, EventHandlers.of(handler))),
        "/hook", EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(new FilterHolder(new HttpFilter() {
      @Override
      protected void doFilter(HttpServletRequest request, HttpServletResponse response,
          FilterChain chain) throws IOException, ServletException {
        chain.doFilter(new HttpServletRequestWrapper(request) {
          @Override
          public String getRemoteUser() {
            return USER;
          }
        }, response);
      }
    }), "/admin/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new StripeWebhookAdminServlet(new RecoveryAction(
        () -> apiKey, "http://127.0.0.1:" + stripe.getAddress().getPort()))), "/admin/*");
    server.setHandler(context);
    server.start();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0])
        .getLocalPort() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String form) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> postApi(String path, String token) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).header("X-CSRF-Token", token)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The session's token, from the list page as a browser reads it. */
  private String csrfToken() throws Exception {
    Matcher matcher = CSRF.matcher(get("/admin/").body());
    assertThat(matcher.find()).isTrue();
    return matcher.group(1);
  }

  /** The form as a browser posts it with "only undelivered" checked. */
  private String form(String token, String days) {
    return "csrf=" + token + "&days=" + days + "&undelivered=false&undelivered=true&type=";
  }

  private int runs(JsonObject event) {
    AtomicInteger count = runs.get(id(event));
    return count == null ? 0 : count.get();
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  @Test
  void listPageOffersTheFormWithThreeDaysAndOnlyUndeliveredChecked() throws Exception {
    start(API_KEY);

    String page = get("/admin/").body();

    assertThat(page).contains("id=\"recover-form\"").contains("action=\"/admin/recover\"")
        .contains("name=\"days\" min=\"1\" max=\"30\" value=\"3\"")
        .contains("name=\"undelivered\" value=\"true\" checked")
        .doesNotContain("recover-not-configured").doesNotContain(API_KEY);
  }

  @Test
  void recoversTheMissedEventsOnceAndASecondRunHandlesNothingAgain() throws Exception {
    start(API_KEY);
    JsonObject delivered = listed.get(1);
    new WebhookSender(uri("/hook"), SECRET).send(StripeFixtures.toBytes(delivered));
    long threeDaysAgo = Instant.now().minus(Duration.ofDays(3)).getEpochSecond();
    String token = csrfToken();

    HttpResponse<String> first = post("/admin/recover", form(token, "3"));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("<h1>Recovered from Stripe</h1>")
        .contains("id=\"recovery-listed\">3<").contains("id=\"recovery-stored\">2<")
        .contains("id=\"recovery-already-present\">1<").contains("id=\"recovery-processed\">2<")
        .contains("id=\"recovery-failed\">0<").contains("last 3 days, undelivered only");
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
    assertThat(json(get("/admin/api/events/" + id(listed.get(0)))).get("status").getAsString())
        .isEqualTo("done");

    HttpResponse<String> second = postApi("/admin/api/recover", token);

    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("application/json"));
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
    failing.add(id(listed.get(2)));

    HttpResponse<String> response = post("/admin/recover", form(csrfToken(), "7"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("id=\"recovery-failed\">1<")
        .contains("id=\"recovery-processed\">2<")
        .contains("<a href=\"/admin/events/" + id(listed.get(2)) + "\">");
    assertThat(json(get("/admin/api/events/" + id(listed.get(2)))).get("status").getAsString())
        .isEqualTo("failed");
  }

  @Test
  void uncheckingOnlyUndeliveredAndATypeFilterReachTheQuery() throws Exception {
    start(API_KEY);

    HttpResponse<String> response = post("/admin/recover",
        "csrf=" + csrfToken() + "&days=30&undelivered=false&type=invoice.paid");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("last 30 days, delivered or not, type invoice.paid");
    assertThat(queries.get(0)).doesNotContain("delivery_success").contains("type=invoice.paid");
  }

  @Test
  void refusesMoreThanThirtyDaysOrNoNumberWith400() throws Exception {
    start(API_KEY);
    String token = csrfToken();

    HttpResponse<String> tooMany = post("/admin/recover", form(token, "31"));
    HttpResponse<String> notANumber = post("/admin/recover", form(token, "three"));
    HttpResponse<String> wildcardWithOthers = post("/admin/recover",
        "csrf=" + token + "&type=invoice.*,charge.refunded");

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
    String token = csrfToken();

    assertThat(get("/admin/").body()).contains("id=\"recover-not-configured\"")
        .contains("STRIPE_API_KEY").contains("stripe.api-key")
        .doesNotContain("id=\"recover-form\"");
    HttpResponse<String> page = post("/admin/recover", form(token, "3"));
    HttpResponse<String> api = postApi("/admin/api/recover", token);

    assertThat(page.statusCode()).isEqualTo(409);
    assertThat(page.body()).contains("Recovery from Stripe is not configured");
    assertThat(api.statusCode()).isEqualTo(409);
    assertThat(api.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("application/json"));
    assertThat(api.body()).contains("STRIPE_API_KEY");
    assertThat(queries).isEmpty();
    assertThat(log).anyMatch(line -> line.contains(USER) && line.contains("refused"));
  }

  @Test
  void withoutTheRightCsrfTokenThePostIsRefusedWith403AndStripeIsNotAsked() throws Exception {
    start(API_KEY);
    String token = csrfToken();

    HttpResponse<String> none = post("/admin/recover", "days=3");
    HttpResponse<String> wrong = post("/admin/recover", form("not-" + token, "3"));
    HttpResponse<String> apiWrong = postApi("/admin/api/recover", "not-" + token);

    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(apiWrong.statusCode()).isEqualTo(403);
    assertThat(queries).isEmpty();
    assertThat(runs).isEmpty();
  }

  @Test
  void theLogNamesTheUserAndTheRangeButNeverTheKey() throws Exception {
    start(API_KEY);

    post("/admin/recover", form(csrfToken(), "5"));

    assertThat(log).anyMatch(line -> line.startsWith("dev.stripewebhook.admin ")
        && line.contains("Admin " + USER) && line.contains("last 5 days, undelivered only")
        && line.contains("3 listed, 3 stored"));
    assertThat(log).noneMatch(line -> line.contains(API_KEY));
  }

  @Test
  void aKeyStripeRejectsIsAnswered502WithoutTheKey() throws Exception {
    start(API_KEY);
    rejectKey = true;

    HttpResponse<String> response = postApi("/admin/api/recover", csrfToken());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(json(response).get("error").getAsString())
        .startsWith("Stripe's Events API could not be read (HTTP 401)");
    assertThat(response.body()).doesNotContain(API_KEY).doesNotContain("851Hx");
    assertThat(log).noneMatch(line -> line.contains(API_KEY));
    assertThat(runs).isEmpty();
  }
}
