// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.events.V1BillingMeterErrorReportTriggeredEventNotification;
import com.stripe.model.PaymentIntent;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.RecordedStripeApi;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.TestHandlers;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.DispatcherType;
import jakarta.ws.rs.core.Application;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.jboss.weld.environment.servlet.Listener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Thin event notifications through the servlet filter and the JAX-RS door (Jersey, Weld Servlet,
 * embedded Jetty) into handlers, observers and resource methods that fetch from a recorded Stripe
 * API: the endpoint's client comes from the servlet context attribute, both endpoints have {@code
 * stripe.webhook.thin-events=fetch}.
 */
class ThinEventsThroughTheDoorsTest {
  static final String FILTER_SECRET = "whsec_thin_filter";
  static final String FEATURE_SECRET = "whsec_thin_feature";
  static final List<String> HANDLED = new CopyOnWriteArrayList<>();
  static RecordedStripeApi api;
  static Server server;

  /** The JAX-RS application: the thin resource and the feature, fetching. */
  public static class ThinApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
      return Set.of(ThinITResource.class);
    }

    @Override
    @SuppressWarnings("deprecation") // the feature instance needs its config: a singleton
    public Set<Object> getSingletons() {
      return Set.of(new StripeWebhookFeature(config(FEATURE_SECRET)));
    }
  }

  static WebhookConfig config(String secret) {
    return WebhookConfig.builder()
        .secrets(secret)
        .thinEvents(WebhookConfig.ThinEvents.FETCH)
        .build();
  }

  @BeforeAll
  static void start() throws Exception {
    api = RecordedStripeApi.start();
    server = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler context = new ServletContextHandler("/");
    context.addEventListener(new Listener());
    context.setAttribute(StripeWebhookFilter.STRIPE_CLIENT_ATTRIBUTE, api.client());
    StripeEventHandler meters =
        TestHandlers.on(
            "v1.billing.meter.*",
            event -> {
              var notification =
                  (V1BillingMeterErrorReportTriggeredEventNotification) event.eventNotification();
              HANDLED.add(
                  notification.fetchEvent().getData().getDeveloperMessageSummary()
                      + " "
                      + notification.fetchRelatedObject().getId());
            });
    StripeEventHandler intents =
        TestHandlers.on(
            "v1.payment_intent.*",
            event -> HANDLED.add("snapshot " + event.dataObject(PaymentIntent.class).getId()));
    StripeWebhookFilter filter =
        new StripeWebhookFilter(config(FILTER_SECRET), EventHandlers.of(meters, intents));
    context.addFilter(new FilterHolder(filter), "/filter/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(
            new ServletContainer(ResourceConfig.forApplication(new ThinApplication()))),
        "/api/*");
    server.setHandler(context);
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    api.close();
  }

  @BeforeEach
  void clear() {
    HANDLED.clear();
    ThinObserverITBean.SEEN.clear();
    api.requests.clear();
  }

  static HttpResponse<String> send(String path, String secret, JsonObject payload)
      throws Exception {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return new WebhookSender(URI.create("http://127.0.0.1:" + port + path), secret)
        .send(StripeFixtures.toBytes(payload));
  }

  static String related(JsonObject notification) {
    return notification.getAsJsonObject("related_object").get("id").getAsString();
  }

  void assertEveryRequestCarriedTheKeyAnd(String context) {
    assertThat(api.requests)
        .isNotEmpty()
        .allSatisfy(
            request -> {
              assertThat(request.authorization()).isEqualTo("Bearer " + RecordedStripeApi.API_KEY);
              assertThat(request.stripeContext()).isEqualTo(context);
            });
  }

  @Test
  void throughTheFilterHandlersAndObserversFetchTheEventAndTheRelatedObject() throws Exception {
    JsonObject meter = api.meterErrorReport("acct_1FilterDoor");
    HttpResponse<String> response = send("/filter/stripe", FILTER_SECRET, meter);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(HANDLED).containsExactly("There is 1 invalid event " + related(meter));
    assertEveryRequestCarriedTheKeyAnd("acct_1FilterDoor");

    api.requests.clear();
    JsonObject intent =
        api.paymentIntentNotification("v1.payment_intent.succeeded", "acct_1FilterDoor");
    response = send("/filter/stripe", FILTER_SECRET, intent);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(ThinObserverITBean.SEEN)
        .containsExactlyInAnyOrder(
            "notification v1.payment_intent.succeeded " + related(intent),
            "snapshot " + related(intent));
    // A handler written for snapshot events, on a thin endpoint with a key and fetch.
    assertThat(HANDLED).contains("snapshot " + related(intent));
    assertEveryRequestCarriedTheKeyAnd("acct_1FilterDoor");
  }

  @Test
  void throughJaxrsResourcesAndObserversFetchTheEventAndTheRelatedObject() throws Exception {
    JsonObject meter = api.meterErrorReport("acct_1JaxrsDoor");
    HttpResponse<String> response = send("/api/meter", FEATURE_SECRET, meter);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("There is 1 invalid event " + related(meter));
    assertThat(api.requests)
        .extracting(RecordedStripeApi.Request::path)
        .containsExactly(
            "/v2/core/events/" + meter.get("id").getAsString(),
            "/v1/billing/meters/" + related(meter));
    assertEveryRequestCarriedTheKeyAnd("acct_1JaxrsDoor");

    api.requests.clear();
    JsonObject intent =
        api.paymentIntentNotification("v1.payment_intent.succeeded", "acct_1JaxrsDoor");
    response = send("/api/intent", FEATURE_SECRET, intent);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(related(intent) + " 1099");
    assertThat(ThinObserverITBean.SEEN)
        .containsExactlyInAnyOrder(
            "notification v1.payment_intent.succeeded " + related(intent),
            "snapshot " + related(intent));
    assertEveryRequestCarriedTheKeyAnd("acct_1JaxrsDoor");
  }

  @Test
  void aSnapshotEventParameterGetsTheRelatedSnapshotEvent() throws Exception {
    JsonObject notification = api.snapshotEventNotification("v1.payment_intent.processing");
    HttpResponse<String> response = send("/api/event", FEATURE_SECRET, notification);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("payment_intent.succeeded");
  }

  @Test
  void aFailedFetchIs500ThinEventFetchFailedWithoutItsTextAndTheRetryIsProcessed()
      throws Exception {
    JsonObject intent = api.paymentIntentNotification("v1.payment_intent.processing", null);
    for (int status : new int[] {503, 404}) {
      api.fail(1, status);
      HttpResponse<String> response = send("/api/intent", FEATURE_SECRET, intent);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(500);
      assertThat(
              JsonParser.parseString(response.body()).getAsJsonObject().get("reason").getAsString())
          .isEqualTo("thin-event-fetch-failed");
      assertThat(response.body()).doesNotContain("recorded failure", "HTTP " + status);
    }
    HttpResponse<String> retried = send("/api/intent", FEATURE_SECRET, intent);
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(retried.body()).isEqualTo(related(intent) + " 1099");
  }
}
