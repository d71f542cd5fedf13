// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.stripe.events.V1BillingMeterErrorReportTriggeredEvent;
import com.stripe.events.V1BillingMeterErrorReportTriggeredEventNotification;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.billing.Meter;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.Reason;
import dev.stripewebhook.RecordedStripeApi;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.TestHandlers;
import dev.stripewebhook.ThinEventFetchException;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Thin events against a recorded Stripe API: notifications bound to the endpoint's one client, with
 * the notification's context applied; the opt-in fetch for snapshot-typed handlers, counted and
 * timed; a failed fetch fails only that attempt.
 */
class ThinEventsApiTest {
  static final String SECRET = "whsec_thin_events";

  final RecordedStripeApi api = RecordedStripeApi.start();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final List<Object> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    api.close();
  }

  WebhookEndpoint endpoint(WebhookConfig.ThinEvents mode, StripeEventHandler handler) {
    return WebhookEndpoint.builder(WebhookConfig.builder().secrets(SECRET).thinEvents(mode).build())
        .handlers(EventHandlers.of(handler))
        .stripeClient(api.client())
        .meterRegistry(registry)
        .build();
  }

  static Decision deliver(WebhookEndpoint endpoint, JsonObject payload) {
    byte[] body = StripeFixtures.toBytes(payload);
    return endpoint.deliver(
        TestDelivery.signed(body, SignedPayload.of(body).secret(SECRET).header()), null);
  }

  @Test
  void aHandlerFetchesTheEventAndRelatedObjectThroughTheEndpointsClientInItsContext() {
    JsonObject notification = api.meterErrorReport("acct_1ConnectedThin");
    String meterUrl = notification.getAsJsonObject("related_object").get("url").getAsString();
    StripeEventHandler fetching =
        TestHandlers.on(
            "v1.billing.meter.*",
            event -> {
              var typed =
                  (V1BillingMeterErrorReportTriggeredEventNotification) event.eventNotification();
              V1BillingMeterErrorReportTriggeredEvent full = typed.fetchEvent();
              Meter meter = typed.fetchRelatedObject();
              seen.add(full.getData().getDeveloperMessageSummary());
              seen.add(String.valueOf(full.getData().getValidationStart()));
              seen.add(meter.getId());
            });
    try (WebhookEndpoint endpoint = endpoint(WebhookConfig.ThinEvents.NOTIFY, fetching)) {
      Decision decision = deliver(endpoint, notification);

      assertThat(decision.status()).isEqualTo(200);
      assertThat(seen)
          .containsExactly(
              "There is 1 invalid event",
              "2024-09-26T17:46:10Z",
              notification.getAsJsonObject("related_object").get("id").getAsString());
      assertThat(api.requests)
          .extracting(RecordedStripeApi.Request::path)
          .containsExactly("/v2/core/events/" + notification.get("id").getAsString(), meterUrl);
      assertThat(api.requests)
          .allSatisfy(
              request -> {
                assertThat(request.authorization())
                    .isEqualTo("Bearer " + RecordedStripeApi.API_KEY);
                assertThat(request.stripeContext()).isEqualTo("acct_1ConnectedThin");
              });
    }
  }

  @Test
  void theEndpointBuildsItsOneClientFromTheApiKeyAndWithoutOneGivesTheNotificationUnbound() {
    WebhookConfig keyed = WebhookConfig.builder().secrets(SECRET).apiKey("rk_test_built").build();
    try (WebhookEndpoint endpoint = WebhookEndpoint.builder(keyed).build()) {
      assertThat(endpoint.stripeApi().client()).isPresent();
      assertThat(endpoint.stripeApi().fetchesSnapshots()).isFalse();
    }
    WebhookConfig keyless = WebhookConfig.builder().secrets(SECRET).build();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    StripeEventHandler unbound =
        TestHandlers.on(
            "v1.billing.meter.*",
            event -> {
              try {
                ((V1BillingMeterErrorReportTriggeredEventNotification) event.eventNotification())
                    .fetchEvent();
              } catch (RuntimeException e) {
                failures.add(e); // stripe-java's own failure of an unbound notification
              }
            });
    try (WebhookEndpoint endpoint =
        WebhookEndpoint.builder(keyless).handlers(EventHandlers.of(unbound)).build()) {
      assertThat(endpoint.stripeApi().client()).isEmpty();
      assertThat(deliver(endpoint, api.meterErrorReport(null)).status()).isEqualTo(200);
    }
    assertThat(failures).singleElement().isInstanceOf(NullPointerException.class);
    assertThat(api.requests).isEmpty();
  }

  @Test
  void withFetchASnapshotTypedHandlerGetsTheRelatedV1ObjectCountedAndTimed() {
    JsonObject notification =
        api.paymentIntentNotification("v1.payment_intent.succeeded", "acct_1Platform");
    StripeEventHandler snapshotTyped =
        TestHandlers.on(
            "v1.payment_intent.*",
            event -> {
              seen.add(event.fetchesSnapshot());
              seen.add(event.dataObject(PaymentIntent.class).getId());
              seen.add(event.dataObject(PaymentIntent.class).getAmount());
            });
    try (WebhookEndpoint endpoint = endpoint(WebhookConfig.ThinEvents.FETCH, snapshotTyped)) {
      assertThat(deliver(endpoint, notification).status()).isEqualTo(200);
    }
    String id = notification.getAsJsonObject("related_object").get("id").getAsString();
    assertThat(seen).containsExactly(true, id, 1099L);
    assertThat(api.requests)
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.path()).isEqualTo("/v1/payment_intents/" + id);
              assertThat(request.authorization()).isEqualTo("Bearer " + RecordedStripeApi.API_KEY);
              assertThat(request.stripeContext()).isEqualTo("acct_1Platform");
            });
    assertThat(fetches("success")).isEqualTo(1);
    assertThat(fetches("failure")).isZero();
  }

  @Test
  void withFetchARelatedSnapshotEventGivesTheEventAndItsDataObject() {
    JsonObject notification = api.snapshotEventNotification("v1.payment_intent.succeeded");
    StripeEventHandler snapshotTyped =
        TestHandlers.on(
            "v1.payment_intent.*",
            event -> {
              Event snapshot = event.event();
              seen.add(snapshot.getType());
              seen.add(event.dataObject(PaymentIntent.class).getObject());
            });
    try (WebhookEndpoint endpoint = endpoint(WebhookConfig.ThinEvents.FETCH, snapshotTyped)) {
      assertThat(deliver(endpoint, notification).status()).isEqualTo(200);
    }
    assertThat(seen).containsExactly("payment_intent.succeeded", "payment_intent");
    assertThat(api.requests).hasSize(1); // fetched once for both
  }

  @Test
  void aFailedFetchFailsThatAttemptWith500NeverA400AndTheEventIsReplayable() throws Exception {
    JsonObject notification = api.paymentIntentNotification("v1.payment_intent.succeeded", null);
    String id = notification.get("id").getAsString();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    StripeEventHandler snapshotTyped =
        TestHandlers.on(
            "v1.payment_intent.*",
            event -> {
              try {
                seen.add(event.dataObject(PaymentIntent.class).getId());
              } catch (ThinEventFetchException e) {
                failures.add(e);
                throw e;
              }
            });
    try (WebhookEndpoint endpoint = endpoint(WebhookConfig.ThinEvents.FETCH, snapshotTyped)) {
      for (int status : new int[] {500, 404, 401}) {
        api.fail(1, status);
        Decision failed = deliver(endpoint, notification);
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.reason()).contains(Reason.HANDLER_FAILED);
        assertThat(new String(failed.body(), StandardCharsets.UTF_8))
            .doesNotContain("recorded failure", "HTTP", "Exception");
      }
      assertThat(endpoint.inbox().find(id).orElseThrow().status()).isEqualTo(InboxStatus.FAILED);

      assertThat(endpoint.process(id)).isEqualTo(Outcome.DONE); // a replay, the API answering
    }
    assertThat(failures)
        .hasSize(3)
        .allSatisfy(
            e ->
                assertThat(e.getMessage())
                    .contains(id, "/v1/payment_intents/")
                    .doesNotContain(RecordedStripeApi.API_KEY));
    assertThat(failures.get(0).getMessage()).contains("HTTP 500");
    assertThat(seen).hasSize(1);
    assertThat(fetches("failure")).isEqualTo(3);
    assertThat(fetches("success")).isEqualTo(1);
  }

  @Test
  void withoutTheOptInASnapshotTypedHandlerFailsNamingTheFixAndNothingIsFetched() {
    JsonObject notification = api.paymentIntentNotification("v1.payment_intent.succeeded", null);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    StripeEventHandler snapshotTyped =
        TestHandlers.on(
            "v1.payment_intent.*",
            event -> {
              seen.add(event.fetchesSnapshot());
              try {
                event.dataObject();
              } catch (IllegalStateException e) {
                failures.add(e);
              }
            });
    try (WebhookEndpoint endpoint = endpoint(WebhookConfig.ThinEvents.NOTIFY, snapshotTyped)) {
      assertThat(deliver(endpoint, notification).status()).isEqualTo(200);
    }
    assertThat(seen).containsExactly(false);
    assertThat(failures)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains("eventNotification()", "stripe.api-key", "thin-events=fetch"));
    assertThat(api.requests).isEmpty();
  }

  @Test
  void aV2RelatedObjectIsNotFetchedForSnapshotTypes() {
    JsonObject ping = StripeFixtures.thinEventJson("v2.core.account.created");
    StripeEventHandler snapshotTyped =
        TestHandlers.on("v2.core.account.*", event -> seen.add(event.fetchesSnapshot()));
    try (WebhookEndpoint endpoint = endpoint(WebhookConfig.ThinEvents.FETCH, snapshotTyped)) {
      assertThat(deliver(endpoint, ping).status()).isEqualTo(200);
    }
    assertThat(seen).containsExactly(false);
    assertThat(api.requests).isEmpty();
  }

  @Test
  void fetchWithoutAKeyIsAStartUpErrorNamingBothKeys() {
    WebhookConfig config =
        WebhookConfig.builder().secrets(SECRET).thinEvents(WebhookConfig.ThinEvents.FETCH).build();
    assertThatThrownBy(() -> WebhookEndpoint.builder(config).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stripe.webhook.thin-events=fetch needs an API key")
        .hasMessageContaining("STRIPE_API_KEY");
  }

  private long fetches(String outcome) {
    return registry.timer("stripe.webhook.thin.fetch", "outcome", outcome).count();
  }

  @Test
  void anApiKeyInAHandlersFailureReachesNeitherTheLogNorTheInbox() throws Exception {
    JsonObject notification = api.paymentIntentNotification("v1.payment_intent.succeeded", null);
    String id = notification.get("id").getAsString();
    // As Stripe answers a revoked key, which stripe-java's exception quotes.
    StripeEventHandler revokedKey =
        TestHandlers.on(
            "v1.payment_intent.*",
            event -> {
              throw new com.stripe.exception.AuthenticationException(
                  "Invalid API Key provided: rk_live_****************wxyz", "req_1", null, 401);
            });
    try (LogCapture log = LogCapture.of(WebhookEndpoint.class);
        WebhookEndpoint endpoint = endpoint(WebhookConfig.ThinEvents.NOTIFY, revokedKey)) {
      assertThat(deliver(endpoint, notification).status()).isEqualTo(500);
      assertThat(log.messages()).isNotEmpty().noneMatch(line -> line.contains("rk_live_"));
      assertThat(log.messages()).anyMatch(line -> line.contains("Invalid API Key provided: (key)"));
      assertThat(endpoint.inbox().find(id).orElseThrow().lastError())
          .contains("Invalid API Key provided")
          .doesNotContain("rk_live_", "wxyz");
    }
  }
}
