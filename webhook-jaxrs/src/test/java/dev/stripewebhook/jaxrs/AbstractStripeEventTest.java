// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.DispatcherType;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jboss.weld.environment.servlet.Listener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code @StripeEvent} parameters over real HTTP on embedded Jetty 12 with Weld, for each JAX-RS
 * runtime; a Jackson provider is registered in every set-up. {@code /api/*} is filterless; {@code
 * /filtered/*} has {@link StripeWebhookFilter} in front, with a secret the JAX-RS feature does not
 * know, so a second verification there would fail.
 */
abstract class AbstractStripeEventTest {
  static final String FILTER_SECRET = "whsec_filter_only";
  static Server server;
  static StripeWebhookFilter filter;

  /**
   * Maps the runtime's servlet for {@link ITApplication} at {@code /api/*} and {@code /filtered/*}.
   */
  abstract void addJaxrs(ServletContextHandler context);

  void start() throws Exception {
    if (server != null) {
      return;
    }
    server = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler context = new ServletContextHandler("/");
    context.addEventListener(new Listener());
    filter =
        new StripeWebhookFilter(
            WebhookConfig.builder().secrets(FILTER_SECRET).build(), EventHandlers.none());
    context.addFilter(new FilterHolder(filter), "/filtered/*", EnumSet.of(DispatcherType.REQUEST));
    addJaxrs(context);
    server.setHandler(context);
    server.start();
  }

  @BeforeEach
  void setUp() throws Exception {
    start();
    ObserverITBean.SEEN.clear();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    server = null;
  }

  static WebhookSender sender(String path, String secret) {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return new WebhookSender(URI.create("http://127.0.0.1:" + port + path), secret);
  }

  static HttpResponse<String> send(String path, byte[] body) throws Exception {
    return sender(path, ITApplication.FEATURE_SECRET).send(body);
  }

  static String idOf(byte[] body) {
    return JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
        .getAsJsonObject()
        .get("id")
        .getAsString();
  }

  static void assertProblem(HttpResponse<String> response, int status, String reason) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(
            JsonParser.parseString(response.body()).getAsJsonObject().get("reason").getAsString())
        .isEqualTo(reason);
  }

  @Test
  void eventParameterVerifiesTheRawBytesDespiteTheJsonProvider() throws Exception {
    HttpResponse<String> response =
        send("/api/event", StripeFixtures.event("payment_intent.succeeded"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("payment_intent.succeeded");
  }

  @Test
  void theJsonProviderIsActiveAndBreaksAnUnannotatedEvent() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    assertThat(send("/api/json", body).body()).isEqualTo(idOf(body));
    assertThat(send("/api/naive", body).statusCode()).isNotEqualTo(200);
  }

  @Test
  void typedDataObjectParameter() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    JsonObject intent = StripeFixtures.dataObject("payment_intent.succeeded");
    HttpResponse<String> response = send("/api/intent", body);
    assertThat(response.body())
        .isEqualTo(intent.get("id").getAsString() + " " + intent.get("amount").getAsLong());
  }

  @Test
  void typedDataObjectOfAnEventFromAnotherApiVersion() throws Exception {
    byte[] body;
    try (InputStream in = getClass().getResourceAsStream("/pay-account.updated.event.json")) {
      body = in.readAllBytes();
    }
    HttpResponse<String> response = send("/api/account", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("acct_00000000000000");
  }

  @Test
  void verifiedEventAndThinNotificationParameters() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    assertThat(send("/api/delivery", body).body()).isEqualTo(idOf(body));
    byte[] thin =
        ("{\"id\":\"evt_thin_1\",\"object\":\"v2.core.event\","
                + "\"type\":\"v1.billing.meter.error_report_triggered\",\"livemode\":false,"
                + "\"created\":\"2026-11-23T10:00:00.000Z\",\"related_object\":{\"id\":\"mtr_1\"}}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(send("/api/thin", thin).body()).isEqualTo("v1.billing.meter.error_report_triggered");
  }

  @Test
  void typedThinNotificationParameter() throws Exception {
    JsonObject thin = StripeFixtures.thinEventJson(StripeFixtures.METER_ERROR_REPORT_TRIGGERED);
    String meter = thin.getAsJsonObject("related_object").get("id").getAsString();
    HttpResponse<String> response = send("/api/meter", StripeFixtures.toBytes(thin));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("billing.meter " + meter);
    assertProblem(
        send("/api/meter", StripeFixtures.thinEvent("v2.core.account.updated")),
        400,
        "unexpected-data-object");
  }

  @Test
  void aThinEventForASnapshotParameterIs500NeedsApiKeyNever400AndStaysToBeRetried()
      throws Exception {
    byte[] thin = StripeFixtures.thinEvent(StripeFixtures.METER_ERROR_REPORT_TRIGGERED);
    HttpResponse<String> response = send("/api/event", thin);
    assertProblem(response, 500, "thin-event-needs-api-key");
    assertThat(response.body())
        .contains("EventNotification", "snapshot payloads", "stripe.api-key", "thin-events=fetch");
    // Recorded failed, not done: Stripe's retry is processed again, not acknowledged as a copy.
    assertProblem(send("/api/event", thin), 500, "thin-event-needs-api-key");
    assertProblem(
        send("/api/intent", StripeFixtures.thinEvent("v2.core.account.updated")),
        500,
        "thin-event-needs-api-key");

    byte[] filtered = StripeFixtures.thinEvent(StripeFixtures.METER_ERROR_REPORT_TRIGGERED);
    assertProblem(
        sender("/filtered/event", FILTER_SECRET).send(filtered), 500, "thin-event-needs-api-key");
    assertThat(filter.inbox().find(idOf(filtered)).orElseThrow().status())
        .isEqualTo(InboxStatus.FAILED);
  }

  @Test
  void aPingIsAnswered200BeforeAnyResourceMethod() throws Exception {
    for (String path : new String[] {"/api/event", "/api/intent", "/api/meter"}) {
      HttpResponse<String> response =
          send(path, StripeFixtures.thinEvent(StripeFixtures.EVENT_DESTINATION_PING));
      assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    }
    byte[] ping = StripeFixtures.thinEvent(StripeFixtures.EVENT_DESTINATION_PING);
    HttpResponse<String> response = sender("/filtered/intent", FILTER_SECRET).send(ping);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(filter.inbox().find(idOf(ping)).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
  }

  @Test
  void anEventOfAnotherObjectIsRefusedForATypedParameter() throws Exception {
    assertProblem(
        send("/api/intent", StripeFixtures.event("customer.created")),
        400,
        "unexpected-data-object");
  }

  @Test
  void failedVerificationIsAProblemWithTheFiltersReasons() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    assertProblem(sender("/api/event", "whsec_wrong").send(body), 400, "signature-mismatch");
    assertProblem(
        sender("/api/event", "whsec_wrong").post(body, null), 400, "missing-signature-header");
    assertThat(ObserverITBean.SEEN).isEmpty();
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    JsonObject json = StripeFixtures.eventJson("customer.created");
    json.addProperty("padding", "x".repeat(ITApplication.MAX_BODY));
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    DoorGuaranteesTest.assertProblem(
        Door.sendHeadersOnly(
            "127.0.0.1",
            port,
            "/api/event",
            ITApplication.FEATURE_SECRET,
            StripeFixtures.toBytes(json)),
        413,
        "body-too-large");
  }

  @Test
  void behindTheFilterTheParameterIsTheFiltersEventNotASecondVerification() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    HttpResponse<String> response = sender("/filtered/event", FILTER_SECRET).send(body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertProblem(
        sender("/filtered/event", ITApplication.FEATURE_SECRET).send(body),
        400,
        "signature-mismatch");
  }

  @Test
  void cdiObserversRunOncePerDeliveryOnEveryPath() throws Exception {
    byte[] filtered = StripeFixtures.event("payment_intent.created");
    assertThat(sender("/filtered/event", FILTER_SECRET).send(filtered).statusCode()).isEqualTo(200);
    byte[] direct = StripeFixtures.event("payment_intent.created");
    assertThat(send("/api/event", direct).statusCode()).isEqualTo(200);
    byte[] checked = StripeFixtures.event("payment_intent.created");
    assertThat(send("/api/checked", checked).statusCode()).isEqualTo(200);
    assertThat(ObserverITBean.SEEN)
        .containsExactlyInAnyOrder(idOf(filtered), idOf(direct), idOf(checked));
  }

  @Test
  void aRedeliveryOfAnEventTheResourceHandledIsAcknowledgedWithoutCallingItAgain()
      throws Exception {
    byte[] body = StripeFixtures.event("customer.created"); // no observer wants it
    SignedPayload delivery = SignedPayload.of(body).secret(ITApplication.FEATURE_SECRET);

    HttpResponse<String> first = sender("/api/delivery", "x").send(delivery);
    HttpResponse<String> again = sender("/api/delivery", "x").send(delivery);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(idOf(body));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("{\"received\":true}");
  }

  @Test
  void aResourceThatFailsLeavesTheEventForTheRedelivery() throws Exception {
    byte[] body = StripeFixtures.event("customer.updated");
    SignedPayload delivery = SignedPayload.of(body).secret(ITApplication.FEATURE_SECRET);

    assertThat(sender("/api/flaky", "x").send(delivery).statusCode()).isEqualTo(500);
    HttpResponse<String> again = sender("/api/flaky", "x").send(delivery);
    HttpResponse<String> third = sender("/api/flaky", "x").send(delivery);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("handled " + idOf(body));
    assertThat(third.body()).isEqualTo("{\"received\":true}");
  }

  @Test
  void aResourceThatFailsAfterTheObserversRanIsRunAgainByTheRedelivery() throws Exception {
    // An observer wants payment_intent.*: it and the resource are the processing, in one claim,
    // as behind the filter. The event must not be done before the resource succeeded.
    byte[] body = StripeFixtures.event("payment_intent.created");
    SignedPayload delivery = SignedPayload.of(body).secret(ITApplication.FEATURE_SECRET);

    assertThat(sender("/api/flaky", "x").send(delivery).statusCode()).isEqualTo(500);
    HttpResponse<String> again = sender("/api/flaky", "x").send(delivery);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("handled " + idOf(body));
  }

  @Test
  void twentyCopiesAtOnceRunTheResourceOnceAndAreAll200() throws Exception {
    byte[] body = StripeFixtures.event("customer.created"); // no observer: the resource processes
    SignedPayload delivery = SignedPayload.of(body).secret(ITApplication.FEATURE_SECRET);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(20);
    try {
      java.util.List<java.util.concurrent.Callable<Integer>> copies = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        copies.add(() -> sender("/api/slow", "x").send(delivery).statusCode());
      }
      for (java.util.concurrent.Future<Integer> status : pool.invokeAll(copies)) {
        assertThat(status.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(WebhookITResource.SLOW_RUNS.get(idOf(body))).hasValue(1);
  }

  @Test
  void aResourceThatThrowsLeavesTheEventFailedAndTheRedeliveryRunsItAgain() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    SignedPayload delivery = SignedPayload.of(body).secret(ITApplication.FEATURE_SECRET);

    HttpResponse<String> first = sender("/api/throws", "x").send(delivery);
    assertThat(first.statusCode()).isEqualTo(500);
    assertThat(first.body()).doesNotContain("secret detail");
    // Not held by a claim nobody finishes: the next delivery runs the resource at once.
    HttpResponse<String> again = sender("/api/throws", "x").send(delivery);
    assertThat(again.statusCode()).isEqualTo(500);
    assertThat(again.body()).doesNotContain("event-in-progress");
  }

  @Test
  void observersRunOncePerEventIdAcrossRedeliveries() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.created");
    SignedPayload delivery = SignedPayload.of(body).secret(ITApplication.FEATURE_SECRET);

    HttpResponse<String> first = sender("/api/event", "x").send(delivery);
    HttpResponse<String> again = sender("/api/event", "x").send(delivery);

    assertThat(first.body()).isEqualTo("payment_intent.created");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("{\"received\":true}");
    assertThat(ObserverITBean.SEEN).containsExactly(idOf(body));
  }

  @Test
  void nameBindingVerifiesMethodsWhoseParameterIsNotTheEvent() throws Exception {
    byte[] body = StripeFixtures.event("charge.succeeded");
    HttpResponse<String> response = send("/api/checked", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(idOf(body) + " " + body.length);
    assertProblem(sender("/api/checked", "whsec_wrong").send(body), 400, "signature-mismatch");
    String stale =
        SignedPayload.of(body)
            .secret(ITApplication.FEATURE_SECRET)
            .at(System.currentTimeMillis() / 1000 - 3600)
            .header();
    assertProblem(
        sender("/api/checked", "x").post(body, stale), 400, "timestamp-outside-tolerance");
  }
}
