// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sync command against a local server replaying recorded Stripe API responses. */
class EndpointSyncTest {
  static final String URL = "https://shop.example/webhooks/stripe";

  final List<String> requests = new CopyOnWriteArrayList<>();
  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  HttpServer stripe;

  @BeforeEach
  void startRecordedStripe() throws IOException {
    stripe = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stripe.createContext(
        "/v1/webhook_endpoints",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String path = exchange.getRequestURI().getPath();
          requests.add(
              exchange.getRequestMethod()
                  + " "
                  + path
                  + " "
                  + URLDecoder.decode(body, StandardCharsets.UTF_8));
          String recording =
              exchange.getRequestMethod().equals("GET")
                  ? "list.json"
                  : path.equals("/v1/webhook_endpoints") ? "create.json" : "update.json";
          byte[] response;
          try (InputStream in = getClass().getResourceAsStream(recording)) {
            response = in.readAllBytes();
          }
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, response.length);
          exchange.getResponseBody().write(response);
          exchange.close();
        });
    stripe.start();
  }

  @AfterEach
  void stop() {
    stripe.stop(0);
  }

  int run(String... args) throws Exception {
    String base = "http://127.0.0.1:" + stripe.getAddress().getPort();
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--api-base";
    all[args.length + 1] = base;
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    return EndpointSync.run(all, out, out, "sk_test_recorded");
  }

  String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void expandsPatternsAgainstStripesEventTypes() {
    assertThat(EndpointSync.expand(Set.of("customer.subscription.*")))
        .contains(
            "customer.subscription.created",
            "customer.subscription.deleted",
            "customer.subscription.updated")
        .allMatch(type -> type.startsWith("customer.subscription."));
    assertThat(EndpointSync.expand(Set.of("invoice.paid", "*"))).containsExactly("*");
    assertThatThrownBy(() -> EndpointSync.expand(Set.of("v1.billing.meter.*")))
        .hasMessageContaining("No Stripe event type matches 'v1.billing.meter.*'");
  }

  @Test
  void aDryRunPrintsTheDifferenceAndChangesNothing() throws Exception {
    assertThat(run("--url", URL, "--types", "invoice.paid,customer.subscription.*")).isZero();
    assertThat(requests).singleElement().asString().startsWith("GET /v1/webhook_endpoints");
    assertThat(printed())
        .contains("Endpoint we_1Pgc6yB7WZ01zgkWzAudq4eU")
        .contains("  + customer.subscription.updated")
        .contains("  - charge.failed")
        .doesNotContain("  + invoice.paid")
        .doesNotContain("  - invoice.paid")
        .contains("Dry run: nothing was changed");
  }

  @Test
  void applyUpdatesTheEnabledEventsOfTheExistingEndpoint(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("types.txt");
    Files.writeString(
        file,
        "# from the start-up log\n[customer.subscription.created,"
            + " customer.subscription.deleted]\ninvoice.paid\n");
    assertThat(run("--url", URL, "--types-file", file.toString(), "--apply")).isZero();
    assertThat(requests).hasSize(2);
    assertThat(requests.get(1))
        .startsWith("POST /v1/webhook_endpoints/we_1Pgc6yB7WZ01zgkWzAudq4eU")
        .contains("enabled_events[0]=customer.subscription.created")
        .contains("enabled_events[1]=customer.subscription.deleted")
        .contains("enabled_events[2]=invoice.paid")
        .doesNotContain("charge.failed");
    assertThat(printed())
        .contains("Updated endpoint we_1Pgc6yB7WZ01zgkWzAudq4eU: 3 event types")
        .doesNotContain("whsec_");
  }

  @Test
  void applyCreatesAMissingEndpointAndPrintsItsSecretOnce() throws Exception {
    assertThat(
            run(
                "--url",
                "https://new.example/webhooks/stripe",
                "--handlers",
                "dev.stripewebhook.RecordingHandler",
                "--types",
                "invoice.paid",
                "--apply"))
        .isZero();
    assertThat(requests.get(1))
        .startsWith("POST /v1/webhook_endpoints ")
        .contains("url=https://new.example/webhooks/stripe")
        .contains("api_version=" + com.stripe.Stripe.API_VERSION)
        .contains("enabled_events[0]=*");
    assertThat(printed())
        .contains("Created endpoint we_1NewEndpoint00000000000")
        .contains("whsec_recorded_creation_secret");
  }

  @Test
  void anUpToDateEndpointIsLeftAlone() throws Exception {
    assertThat(
            run("--url", URL, "--types", "charge.failed,charge.succeeded,invoice.paid", "--apply"))
        .isZero();
    assertThat(requests).hasSize(1);
    assertThat(printed()).contains("enabled_events are up to date (3 types)");
  }

  @Test
  void usageErrorsExitWith2() throws Exception {
    assertThat(run("--types", "invoice.paid")).isEqualTo(2);
    assertThat(run("--url", URL)).isEqualTo(2);
    assertThat(printed()).contains("--url is required").contains("no event types");
  }
}
