// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.Stripe;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code sync --destination} against a local server replaying recorded responses of Stripe's {@code
 * /v2/core/event_destinations}: a list in two pages (a snapshot destination and an EventBridge one,
 * then a disabled thin destination of the same URL), creation, update, enable and disable.
 */
class EventDestinationSyncTest {
  static final String URL = "https://shop.example/webhooks/stripe";
  static final String THIN = "ed_test_61RThinDest000000000000000000000000000003";
  static final String SNAPSHOT = "ed_test_61RSnapshotDest0000000000000000000000000001";
  static final String API_KEY = "sk_test_recorded_destinations_key";

  /** Each request as "METHOD path?decoded-query body". */
  final List<String> requests = new CopyOnWriteArrayList<>();

  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  HttpServer stripe;
  volatile boolean rejectKey;

  @BeforeEach
  void startRecordedStripe() throws IOException {
    stripe = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stripe.createContext("/v2/core/event_destinations", this::answer);
    stripe.start();
  }

  @AfterEach
  void stop() {
    stripe.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String path = exchange.getRequestURI().getPath();
    String raw = exchange.getRequestURI().getRawQuery();
    String query = raw == null ? "" : URLDecoder.decode(raw, StandardCharsets.UTF_8);
    requests.add(exchange.getRequestMethod() + " " + path + "?" + query + " " + body);
    int status = 200;
    JsonElement response;
    if (rejectKey) {
      status = 401;
      response =
          JsonParser.parseString(
              "{\"error\": {\"type\": \"invalid_request_error\", \"code\": \"unauthorized\","
                  + " \"message\": \"Invalid API Key provided: sk_test_****_key\"}}");
    } else if (exchange.getRequestMethod().equals("GET")) {
      response = recorded(query.contains("page=ed_page_2_tok") ? "page-2" : "page-1");
    } else if (path.equals("/v2/core/event_destinations")) {
      response = recording("destination-created.json");
    } else {
      String[] parts = path.substring("/v2/core/event_destinations/".length()).split("/");
      JsonObject destination = destination(parts[0]);
      if (parts.length == 1) {
        destination.add(
            "enabled_events", JsonParser.parseString(body).getAsJsonObject().get("enabled_events"));
      } else if (parts[1].equals("enable")) {
        destination.addProperty("status", "enabled");
        destination.add("status_details", null);
      } else {
        destination.addProperty("status", "disabled");
        destination.add(
            "status_details", JsonParser.parseString("{\"disabled\": {\"reason\": \"user\"}}"));
      }
      response = destination;
    }
    byte[] bytes = response.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private JsonObject recorded(String page) throws IOException {
    return recording("destinations-" + page + ".json").getAsJsonObject();
  }

  private JsonObject destination(String id) throws IOException {
    for (String page : List.of("page-1", "page-2")) {
      for (JsonElement destination : recorded(page).getAsJsonArray("data")) {
        if (destination.getAsJsonObject().get("id").getAsString().equals(id)) {
          return destination.getAsJsonObject();
        }
      }
    }
    return recording("destination-created.json");
  }

  private JsonObject recording(String name) throws IOException {
    try (InputStream in = getClass().getResourceAsStream(name)) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .getAsJsonObject();
    }
  }

  int run(String... args) throws Exception {
    String base = "http://127.0.0.1:" + stripe.getAddress().getPort();
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--api-base";
    all[args.length + 1] = base;
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    return EndpointSync.run(all, out, out, API_KEY);
  }

  String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  List<String> posts() {
    return requests.stream().filter(request -> request.startsWith("POST ")).toList();
  }

  static JsonObject json(String request) {
    return JsonParser.parseString(request.substring(request.indexOf(' ', 5) + 1)).getAsJsonObject();
  }

  @Test
  void thinPatternsExpandAgainstStripeJavasThinTypesAndExactTypesPassAsGiven() {
    assertThat(
            EventDestinationSync.expand(
                Set.of("v1.billing.meter.*", "v2.core.health.event_generation_failure.resolved"),
                EventDestinationSync.Payload.THIN))
        .contains(
            "v1.billing.meter.error_report_triggered",
            "v1.billing.meter.no_meter_found",
            "v2.core.health.event_generation_failure.resolved")
        .allMatch(type -> type.startsWith("v1.billing.meter.") || type.startsWith("v2.core."));
    assertThatThrownBy(
            () ->
                EventDestinationSync.expand(Set.of("invoice.*"), EventDestinationSync.Payload.THIN))
        .hasMessageContaining("No thin event type matches 'invoice.*'");
    assertThat(
            EventDestinationSync.expand(
                Set.of("customer.subscription.*"), EventDestinationSync.Payload.SNAPSHOT))
        .contains("customer.subscription.created")
        .allMatch(type -> type.startsWith("customer.subscription."));
  }

  @Test
  void aDryRunReadsEveryPageAndPrintsTheDiffWithoutAnyPost() throws Exception {
    assertThat(
            run(
                "--url",
                URL,
                "--destination",
                "thin",
                "--types",
                "v1.billing.meter.*,v2.core.account.updated",
                "--enable"))
        .isZero();
    assertThat(requests).hasSize(2).allMatch(request -> request.startsWith("GET "));
    assertThat(requests.get(0))
        .startsWith("GET /v2/core/event_destinations?")
        .contains("include[0]=webhook_endpoint.url");
    assertThat(requests.get(1)).startsWith("GET /v2/core/event_destinations?page=ed_page_2_tok ");
    assertThat(printed())
        .contains(
            "Event destination " + THIN + " (" + URL + "), thin payload, status disabled (user)")
        .contains("  status: disabled -> enabled")
        .contains("  + v1.billing.meter.no_meter_found")
        .contains("  + v2.core.account.updated")
        .contains("  - v2.core.account.created")
        .doesNotContain("  + v1.billing.meter.error_report_triggered")
        .doesNotContain(SNAPSHOT)
        .contains("Dry run: nothing was changed");
  }

  @Test
  void applyChangesTheEnabledEventsAndEnablesTheDestination() throws Exception {
    assertThat(
            run(
                "--url",
                URL,
                "--destination",
                "thin",
                "--types",
                "v1.billing.meter.*,v2.core.account.updated",
                "--enable",
                "--apply"))
        .isZero();
    assertThat(posts()).hasSize(2);
    assertThat(posts().get(0)).startsWith("POST /v2/core/event_destinations/" + THIN + "? ");
    JsonArray events = json(posts().get(0)).getAsJsonArray("enabled_events");
    assertThat(events.asList().stream().map(JsonElement::getAsString))
        .containsExactly(
            "v1.billing.meter.error_report_triggered",
            "v1.billing.meter.no_meter_found",
            "v2.core.account.updated");
    assertThat(posts().get(1)).startsWith("POST /v2/core/event_destinations/" + THIN + "/enable?");
    assertThat(printed())
        .contains("Updated event destination " + THIN + ": 3 event types")
        .contains("Enabled event destination " + THIN);
  }

  @Test
  void disablingAnUpToDateDestinationPostsOnlyTheDisable() throws Exception {
    assertThat(
            run(
                "--url",
                URL,
                "--destination",
                "snapshot",
                "--types",
                "invoice.paid,charge.refunded",
                "--disable",
                "--apply"))
        .isZero();
    assertThat(posts())
        .singleElement()
        .asString()
        .startsWith("POST /v2/core/event_destinations/" + SNAPSHOT + "/disable?");
    assertThat(printed())
        .contains("Event destination " + SNAPSHOT + " (" + URL + "), snapshot payload, API version")
        .contains("  status: enabled -> disabled")
        .contains("  enabled_events are up to date (2 types)")
        .contains("Disabled event destination " + SNAPSHOT);
  }

  @Test
  void anUpToDateDestinationIsLeftAlone() throws Exception {
    assertThat(
            run(
                "--url",
                URL,
                "--destination",
                "thin",
                "--types",
                "v1.billing.meter.error_report_triggered,v2.core.account.created",
                "--apply"))
        .isZero();
    assertThat(posts()).isEmpty();
    assertThat(printed())
        .contains("status disabled (user)")
        .doesNotContain("  status: ")
        .contains("enabled_events are up to date (2 types)");
  }

  @Test
  void applyCreatesAMissingDestinationAndPrintsItsSecretOnce() throws Exception {
    assertThat(
            run(
                "--url",
                "https://new.example/webhooks/stripe",
                "--destination",
                "snapshot",
                "--types",
                "invoice.paid",
                "--apply"))
        .isZero();
    assertThat(posts()).singleElement().asString().startsWith("POST /v2/core/event_destinations? ");
    JsonObject create = json(posts().get(0));
    assertThat(create.get("type").getAsString()).isEqualTo("webhook_endpoint");
    assertThat(create.get("event_payload").getAsString()).isEqualTo("snapshot");
    assertThat(create.get("snapshot_api_version").getAsString()).isEqualTo(Stripe.API_VERSION);
    assertThat(create.get("name").getAsString()).isEqualTo("https://new.example/webhooks/stripe");
    assertThat(create.getAsJsonObject("webhook_endpoint").get("url").getAsString())
        .isEqualTo("https://new.example/webhooks/stripe");
    assertThat(create.get("enabled_events").toString()).isEqualTo("[\"invoice.paid\"]");
    assertThat(create.get("include").toString()).isEqualTo("[\"webhook_endpoint.signing_secret\"]");
    assertThat(printed())
        .contains(
            "No event destination sends snapshot events to https://new.example/webhooks/stripe")
        .contains("Created event destination ed_test_61RNewDest00000000000000000000000000000004")
        .contains("whsec_recorded_destination_secret");
  }

  @Test
  void aThinDestinationIsCreatedWithoutASnapshotVersionAndDisabledWhenAsked() throws Exception {
    assertThat(
            run(
                "--url",
                "https://new.example/webhooks/stripe",
                "--destination",
                "thin",
                "--types",
                "v1.billing.meter.error_report_triggered",
                "--name",
                "meters",
                "--disable",
                "--apply"))
        .isZero();
    assertThat(posts()).hasSize(2);
    JsonObject create = json(posts().get(0));
    assertThat(create.get("event_payload").getAsString()).isEqualTo("thin");
    assertThat(create.has("snapshot_api_version")).isFalse();
    assertThat(create.get("name").getAsString()).isEqualTo("meters");
    assertThat(posts().get(1)).contains("/disable?");
  }

  @Test
  void anApiErrorExitsWith3AndNeverShowsTheKey() throws Exception {
    rejectKey = true;
    assertThat(run("--url", URL, "--destination", "thin", "--types", "v1.billing.meter.*"))
        .isEqualTo(3);
    assertThat(printed())
        .contains("Stripe's API answered an error (HTTP 401): Invalid API Key provided: (key)")
        .doesNotContain(API_KEY)
        .doesNotContain("sk_test_");
    assertThat(posts()).isEmpty();
  }

  @Test
  void destinationUsageErrorsExitWith2() throws Exception {
    assertThat(run("--url", URL, "--destination", "push", "--types", "a.b")).isEqualTo(2);
    assertThat(run("--url", URL, "--types", "invoice.paid", "--enable")).isEqualTo(2);
    assertThat(
            run("--url", URL, "--destination", "thin", "--types", "a.b", "--enable", "--disable"))
        .isEqualTo(2);
    assertThat(run("--url", URL, "--destination", "thin", "--types", "invoice.*")).isEqualTo(2);
    assertThat(printed())
        .contains("--destination: 'push' is neither thin nor snapshot")
        .contains("--enable, --disable and --name are for event destinations: add --destination")
        .contains("--enable and --disable: give one")
        .contains("No thin event type matches 'invoice.*'");
    assertThat(posts()).isEmpty();
  }
}
