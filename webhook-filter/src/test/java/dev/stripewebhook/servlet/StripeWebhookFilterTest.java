// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StripeWebhookFilterTest {
  static final String SECRET = "whsec_filter_test";
  static final int MAX_BODY = 64 * 1024;
  static final List<VerifiedEvent> handled = Collections.synchronizedList(new ArrayList<>());
  static final HttpClient client = HttpClient.newHttpClient();
  static JettyServer server;

  @BeforeAll
  static void start() throws Exception {
    WebhookConfig.Builder config = WebhookConfig.builder().secrets(SECRET).maxBody(MAX_BODY);
    EventHandlers handlers =
        EventHandlers.of(
            handler(Set.of("payment_intent.*"), handled::add),
            handler(
                Set.of("invoice.payment_failed"),
                event -> {
                  throw new IllegalStateException("database down");
                }),
            handler(Set.of("v1.billing.meter.*"), event -> handled.add(event)));
    server =
        new JettyServer()
            .filter(
                "/plain/*",
                new StripeWebhookFilter(config.endpoint("plain").build(), EventHandlers.none()))
            .servlet("/plain/*", new EchoServlet())
            .filter(
                "/handled/*", new StripeWebhookFilter(config.endpoint("handled").build(), handlers))
            .servlet("/handled/*", new EchoServlet())
            .servlet("/unfiltered/*", new EchoServlet())
            .filter(
                "/consumed/*",
                (request, response, chain) -> {
                  request.getInputStream().readAllBytes(); // a careless filter mapped first
                  chain.doFilter(request, response);
                })
            .filter(
                "/consumed/*",
                new StripeWebhookFilter(config.endpoint("consumed").build(), EventHandlers.none()))
            .servlet("/consumed/*", new EchoServlet())
            .filter(
                "/alone/*",
                new StripeWebhookFilter(config.endpoint("alone").build(), EventHandlers.none()))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  // --- verification answers ---------------------------------------------------------------

  @Test
  void answersSignedEventWithTheDownstreamServlet() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    HttpResponse<String> response = post("/plain/stream", body, signed(body), "application/json");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Event-Type")).contains("customer.created");
    assertThat(response.body()).isEqualTo(new String(body, StandardCharsets.UTF_8));
  }

  @Test
  void aServletWritingIntoTheBytesItGotChangesNothingTheNextReaderSees() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    HttpResponse<String> response = post("/plain/mutate", body, signed(body), "application/json");
    String text = new String(body, StandardCharsets.UTF_8);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(text + text);
  }

  @Test
  void rejectsEachBrokenVariantWith400AndItsReason() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    long now = System.currentTimeMillis() / 1000;
    assertProblem(
        post("/plain/x", body, null, "application/json"), 400, "missing-signature-header");
    assertProblem(
        post("/plain/x", body, "t=1,v1=zz", "application/json"), 400, "malformed-signature-header");
    assertProblem(
        post(
            "/plain/x",
            body,
            SignedPayload.of(body).secret("whsec_wrong").header(),
            "application/json"),
        400,
        "signature-mismatch");
    assertProblem(
        post(
            "/plain/x",
            body,
            SignedPayload.of(body).secret(SECRET).at(now - 3600).header(),
            "application/json"),
        400,
        "timestamp-outside-tolerance");
    assertProblem(
        post(
            "/plain/x",
            body,
            SignedPayload.of(body).at(now).withSignature("v0", "ab").header(),
            "application/json"),
        400,
        "no-v1-signature");
    byte[] notEvent = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);
    assertProblem(
        post("/plain/x", notEvent, signed(notEvent), "application/json"), 400, "malformed-payload");
  }

  @Test
  void problemBodiesNeverContainTheSecretOrExpectedSignature() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    String header = SignedPayload.of(body).secret("whsec_wrong").header();
    long t = Long.parseLong(header.substring(2, header.indexOf(',')));
    HttpResponse<String> response = post("/plain/x", body, header, "application/json");
    assertThat(response.body())
        .doesNotContain(SECRET)
        .doesNotContain(SignedPayload.sign(SECRET, t, body));
  }

  @Test
  void answers405WithAllowForOtherMethods() throws Exception {
    for (String method : new String[] {"GET", "PUT", "DELETE"}) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(server.uri("/plain/x"))
                  .method(method, HttpRequest.BodyPublishers.noBody())
                  .build(),
              text());
      assertProblem(response, 405, "method-not-allowed");
      assertThat(response.headers().firstValue("Allow")).contains("POST");
    }
  }

  @Test
  void answers413ForDeclaredLengthOverTheLimitWithoutReadingTheBody() throws Exception {
    // Only the headers are sent: an answer proves the filter did not wait for the body.
    String response =
        rawExchange(
            "POST /plain/x HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nStripe-Signature: t=1,v1="
                + "0".repeat(64)
                + "\r\nContent-Length: "
                + (MAX_BODY + 1)
                + "\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 413").contains("body-too-large");
  }

  @Test
  void answers413ForChunkedBodyOverTheLimit() throws Exception {
    StringBuilder request =
        new StringBuilder(
            "POST /plain/x HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nStripe-Signature: t=1,v1="
                + "0".repeat(64)
                + "\r\nTransfer-Encoding: chunked\r\n\r\n");
    String chunk = "x".repeat(4096);
    for (int sent = 0; sent <= MAX_BODY; sent += chunk.length()) {
      request
          .append(Integer.toHexString(chunk.length()))
          .append("\r\n")
          .append(chunk)
          .append("\r\n");
    }
    request.append("0\r\n\r\n");
    assertThat(rawExchange(request.toString()))
        .startsWith("HTTP/1.1 413")
        .contains("body-too-large");
  }

  @Test
  void acceptsChunkedBodyUnderTheLimitAndReportsItsLength() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    HttpResponse<String> response =
        post("/plain/stream", chunked(body), signed(body), "application/json");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(new String(body, StandardCharsets.UTF_8));
    assertThat(response.headers().firstValue("X-Content-Length"))
        .contains(Integer.toString(body.length));
  }

  // --- the request passed on ---------------------------------------------------------------

  @Test
  void downstreamRereadsNonAsciiBodyThroughReaderInUtf8() throws Exception {
    JsonObject json = StripeFixtures.eventJson("customer.created");
    json.getAsJsonObject("data")
        .getAsJsonObject("object")
        .addProperty("name", "Zoë Ångström — 東京 🎉");
    byte[] body = StripeFixtures.toBytes(json);
    HttpResponse<byte[]> response =
        client.send(
            request("/plain/reader", body, signed(body), "application/json; charset=utf-8").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new String(response.body(), StandardCharsets.UTF_8))
        .isEqualTo(new String(body, StandardCharsets.UTF_8))
        .contains("東京 🎉");
  }

  @Test
  void downstreamReaderUsesTheRequestCharset() throws Exception {
    byte[] body =
        "{\"id\":\"evt_latin\",\"object\":\"event\",\"type\":\"x.y\",\"n\":\"caf\u00e9\"}"
            .getBytes(StandardCharsets.ISO_8859_1);
    HttpResponse<byte[]> response =
        client.send(
            request("/plain/reader", body, signed(body), "text/plain; charset=ISO-8859-1").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    // The servlet writes back what its reader decoded, as UTF-8.
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("caf\u00e9");
  }

  @Test
  void downstreamReadsTheBodyTwiceAndThroughAJsonLibrary() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    HttpResponse<String> twice = post("/plain/twice", body, signed(body), "application/json");
    assertThat(twice.body()).isEqualTo(new String(body, StandardCharsets.UTF_8).repeat(2));
    body = StripeFixtures.event("customer.created"); // the inbox answers a redelivery itself
    HttpResponse<String> json = post("/plain/json", body, signed(body), "application/json");
    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(json.body())
        .isEqualTo(
            JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
                .getAsJsonObject()
                .get("id")
                .getAsString());
  }

  @Test
  void verifiesFormLikeContentTypesOnTheRawBytes() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    HttpResponse<String> response =
        post("/plain/form", body, signed(body), "application/x-www-form-urlencoded");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(new String(body, StandardCharsets.UTF_8));
  }

  @Test
  void accessorTellsMissingFilterFromUnmappedPath() throws Exception {
    HttpResponse<String> response = post("/unfiltered/accessor", new byte[0], null, "text/plain");
    assertThat(response.body()).contains("has not run for it");
    try (JettyServer bare = new JettyServer().servlet("/*", new EchoServlet()).start()) {
      HttpResponse<String> none =
          client.send(
              request(bare.uri("/accessor"), new byte[0], null, "text/plain").build(), text());
      assertThat(none.body()).contains("is not installed");
    }
  }

  @Test
  void answers500WhenSomethingBeforeTheFilterConsumedTheBody() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    assertProblem(
        post("/consumed/x", body, signed(body), "application/json"), 500, "body-consumed");
  }

  @Test
  void answers200ItselfWhenNoServletIsMappedBehind() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    HttpResponse<String> response = post("/alone/x", body, signed(body), "application/json");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"received\":true}");
  }

  // --- handlers ----------------------------------------------------------------------------

  @Test
  void runsMatchingHandlersInTheRequestAndAnswers200() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    String id =
        JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
            .getAsJsonObject()
            .get("id")
            .getAsString();
    HttpResponse<String> response = post("/handled/x", body, signed(body), "application/json");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(handled)
        .anySatisfy(
            event -> {
              assertThat(event.id()).isEqualTo(id);
              assertThat(event.event().getType()).isEqualTo("payment_intent.succeeded");
            });
  }

  @Test
  void answers200WhenNoHandlerWantsTheType() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    int before = handled.size();
    HttpResponse<String> response = post("/handled/x", body, signed(body), "application/json");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Event-Type")).isEmpty(); // chain not called
    assertThat(handled).hasSize(before);
  }

  @Test
  void answers500AndLogsOneLineWhenAHandlerThrows() throws Exception {
    try (LogCapture log = LogCapture.of(dev.stripewebhook.pipeline.WebhookEndpoint.class)) {
      byte[] body = StripeFixtures.event("invoice.payment_failed");
      String id =
          JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
              .getAsJsonObject()
              .get("id")
              .getAsString();
      HttpResponse<String> response = post("/handled/x", body, signed(body), "application/json");
      assertProblem(response, 500, "handler-failed");
      assertThat(response.body()).doesNotContain("database down");
      assertThat(log.lines())
          .filteredOn(line -> line.startsWith("SEVERE "))
          .singleElement()
          .asString()
          .contains(id)
          .contains("invoice.payment_failed")
          .contains("database down");
    }
  }

  @Test
  void routesThinEventsToTheirHandlersAndAcknowledgesOthers() throws Exception {
    byte[] meter = thinEvent("v1.billing.meter.error_report_triggered");
    assertThat(post("/handled/x", meter, signed(meter), "application/json").statusCode())
        .isEqualTo(200);
    assertThat(handled)
        .anySatisfy(
            event -> {
              assertThat(event.isThin()).isTrue();
              assertThat(event.eventNotification().getType())
                  .isEqualTo("v1.billing.meter.error_report_triggered");
            });
    byte[] unhandled = thinEvent("v2.core.account.updated");
    assertThat(post("/handled/x", unhandled, signed(unhandled), "application/json").statusCode())
        .isEqualTo(200);
  }

  static byte[] thinEvent(String type) {
    return ("{\"id\":\"evt_thin_"
            + System.nanoTime()
            + "\",\"object\":\"v2.core.event\","
            + "\"type\":\""
            + type
            + "\",\"created\":\"2026-11-23T10:00:00.000Z\","
            + "\"livemode\":false,\"related_object\":{\"id\":\"mtr_1\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void logsOneLinePerDeliveryWithTheCauseOfARejectionButNoSecret() throws Exception {
    try (LogCapture log = LogCapture.of(StripeWebhookFilter.DELIVERY_LOGGER)) {
      byte[] body = StripeFixtures.event("customer.created");
      String id =
          JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
              .getAsJsonObject()
              .get("id")
              .getAsString();
      post("/alone/x", body, signed(body), "application/json");
      String wrong = SignedPayload.of(body).secret("whsec_wrong").header();
      post("/alone/x", body, wrong, "application/json");
      // The line is written once the answer is out: wait for it (a straggler of another test
      // may show up too).
      log.await(line -> line.contains("signature-mismatch"), Duration.ofSeconds(10));
      List<String> lines = log.messages();
      assertThat(lines)
          .filteredOn(line -> line.startsWith(id))
          .singleElement()
          .asString()
          .startsWith(id + " customer.created: 200 done in ")
          .endsWith(" from 127.0.0.1");
      long t = Long.parseLong(wrong.substring(2, wrong.indexOf(',')));
      assertThat(lines)
          .filteredOn(line -> line.contains("signature-mismatch"))
          .singleElement()
          .asString()
          .startsWith("rejected: 400 signature-mismatch in ")
          .contains("t=" + t + ", clock offset ")
          .contains("body " + body.length + " bytes sha256:")
          .doesNotContain(SECRET)
          .doesNotContain(wrong.substring(wrong.indexOf("v1=") + 3))
          .doesNotContain(SignedPayload.sign(SECRET, t, body));
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  interface Body {
    void accept(VerifiedEvent event) throws Exception;
  }

  static StripeEventHandler handler(Set<String> types, Body body) {
    return new StripeEventHandler() {
      @Override
      public Set<String> eventTypes() {
        return types;
      }

      @Override
      public void handle(VerifiedEvent event) throws Exception {
        body.accept(event);
      }
    };
  }

  static String signed(byte[] body) {
    return SignedPayload.of(body).secret(SECRET).header();
  }

  static HttpResponse<String> post(String path, byte[] body, String signature, String type)
      throws Exception {
    return client.send(request(server.uri(path), body, signature, type).build(), text());
  }

  static HttpResponse<String> post(String path, BodyPublisher body, String signature, String type)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(server.uri(path))
            .header("Content-Type", type)
            .header("Stripe-Signature", signature)
            .POST(body)
            .build(),
        text());
  }

  static HttpRequest.Builder request(String path, byte[] body, String signature, String type) {
    return request(server.uri(path), body, signature, type);
  }

  static HttpRequest.Builder request(URI uri, byte[] body, String signature, String type) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (signature != null) {
      builder.header("Stripe-Signature", signature);
    }
    return builder;
  }

  /** No length known up front: the client sends it chunked. */
  static BodyPublisher chunked(byte[] body) {
    return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
  }

  static HttpResponse.BodyHandler<String> text() {
    return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
  }

  static void assertProblem(HttpResponse<String> response, int status, String reason) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    JsonObject problem = JsonParser.parseString(response.body()).getAsJsonObject();
    assertThat(problem.get("reason").getAsString()).isEqualTo(reason);
    assertThat(problem.get("status").getAsInt()).isEqualTo(status);
    assertThat(problem.get("type").getAsString()).endsWith(":" + reason);
  }

  static String rawExchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      int n = in.read(buffer);
      StringBuilder response = new StringBuilder();
      while (n > 0 && !response.toString().contains("}")) {
        response.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        if (response.toString().contains("}")) {
          break;
        }
        n = in.read(buffer);
      }
      return response.toString();
    }
  }

  /** Reads the body as the path says and writes back what it read. */
  static final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String mode = request.getPathInfo() == null ? "" : request.getPathInfo().substring(1);
      if (mode.equals("accessor")) {
        try {
          StripeWebhookFilter.verifiedEvent(request);
          response.getWriter().write("found");
        } catch (IllegalStateException e) {
          response.getWriter().write(e.getMessage());
        }
        return;
      }
      VerifiedEvent event = StripeWebhookFilter.verifiedEvent(request);
      response.setHeader("X-Event-Type", event.type());
      response.setHeader("X-Content-Length", Long.toString(request.getContentLengthLong()));
      response.setContentType("text/plain; charset=utf-8");
      switch (mode) {
        case "reader" ->
            response
                .getWriter()
                .write(request.getReader().lines().reduce((a, b) -> a + "\n" + b).orElse(""));
        case "mutate" -> {
          // Whatever the servlet does to the bytes it got, the next reader gets the delivery's.
          java.util.Arrays.fill(event.body(), (byte) 'x');
          byte[] read = new byte[request.getContentLength()];
          request.getInputStream().readNBytes(read, 0, read.length);
          java.util.Arrays.fill(read, (byte) 'x');
          response.getOutputStream().write(request.getInputStream().readAllBytes());
          response.getOutputStream().write(event.body());
        }
        case "twice" -> {
          response.getOutputStream().write(request.getInputStream().readAllBytes());
          response.getOutputStream().write(request.getInputStream().readAllBytes());
        }
        case "json" ->
            response
                .getWriter()
                .write(
                    JsonParser.parseReader(request.getReader())
                        .getAsJsonObject()
                        .get("id")
                        .getAsString());
        case "form" -> {
          request.getParameter("anything"); // a form-minded framework asking for parameters
          response.getOutputStream().write(request.getInputStream().readAllBytes());
        }
        default -> response.getOutputStream().write(request.getInputStream().readAllBytes());
      }
    }
  }
}
