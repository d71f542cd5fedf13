// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.stripe.events.UnknownEventNotification;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Subscription;
import com.stripe.model.v2.core.EventNotification;
import dev.stripewebhook.RecordedStripeApi;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.StripeApiAccess;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.cdi.internal.CdiLookup;
import dev.stripewebhook.cdi.internal.StripeEventsExtension;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Observer dispatch in Weld SE: patterns, payload kinds, priorities, async, exceptions. */
class CdiDispatchTest {
  static final String SECRET = "whsec_cdi";
  static final List<String> calls = new CopyOnWriteArrayList<>();
  static CountDownLatch asyncSeen;
  static WeldContainer container;
  static StripeEventHandler dispatcher;

  /** A request-scoped bean, as observers commonly use (an entity manager, a unit of work). */
  @jakarta.enterprise.context.RequestScoped
  public static class RequestLedger {
    void record(String entry) {
      calls.add("ledger:" + entry);
    }
  }

  @ApplicationScoped
  public static class Observers {
    @jakarta.inject.Inject RequestLedger ledger;

    void usesTheRequestScope(@Observes @StripeEventType("payout.failed") Event event) {
      ledger.record(event.getType());
    }

    void exact(@Observes @StripeEventType("invoice.paid") Invoice invoice) {
      calls.add("exact:" + invoice.getObject());
    }

    void prefix(@Observes @StripeEventType("customer.subscription.*") Subscription subscription) {
      calls.add("prefix:" + subscription.getObject());
    }

    void anyEvent(@Observes @Priority(1) Event event) {
      calls.add("any:" + event.getType());
    }

    void lastOfAll(@Observes @Priority(100) @StripeEventType("*") Event event) {
      calls.add("last:" + event.getType());
    }

    void delivery(@Observes @StripeEventType("invoice.*") VerifiedEvent event) {
      calls.add("delivery:" + event.type());
    }

    void thin(@Observes @StripeEventType("v1.billing.meter.*") EventNotification notification) {
      calls.add("thin:" + notification.getType());
    }

    void fetching(@Observes @StripeEventType("v1.payment_intent.*") EventNotification notification)
        throws Exception {
      PaymentIntent intent =
          (PaymentIntent) ((UnknownEventNotification) notification).fetchRelatedObject();
      calls.add("fetched:" + intent.getId());
    }

    void snapshotTyped(@Observes @StripeEventType("v1.payment_intent.*") PaymentIntent intent) {
      calls.add("snapshot:" + intent.getId());
    }

    void failing(@Observes @StripeEventType("charge.failed") Event event) throws Exception {
      throw new java.io.IOException("ledger unavailable");
    }

    void alert(@Observes dev.stripewebhook.WebhookAlert alert) {
      calls.add("alert:" + alert.kind());
    }

    void later(@ObservesAsync @StripeEventType("payout.paid") Event event) {
      calls.add("async:" + event.getType() + ":" + Thread.currentThread().getName());
      asyncSeen.countDown();
    }
  }

  @BeforeAll
  static void boot() {
    container =
        new Weld()
            .disableDiscovery()
            .addBeanClasses(Observers.class, RequestLedger.class)
            .addExtensions(new StripeEventsExtension())
            .initialize();
    dispatcher = CdiLookup.observers(CdiDispatchTest.class.getClassLoader()).orElseThrow();
  }

  @AfterAll
  static void shutdown() {
    container.shutdown();
  }

  @BeforeEach
  void clear() {
    calls.clear();
    asyncSeen = new CountDownLatch(1);
  }

  @Test
  void collectsTheObservedTypesAtDeployment() {
    StripeEventsExtension extension =
        container.getBeanManager().getExtension(StripeEventsExtension.class);
    assertThat(extension.observedTypes())
        .containsExactly(
            "*",
            "charge.failed",
            "customer.subscription.*",
            "invoice.*",
            "invoice.paid",
            "payout.failed",
            "payout.paid",
            "v1.billing.meter.*",
            "v1.payment_intent.*");
  }

  @Test
  void notifiesEachMatchingObserverOnceInPriorityOrder() throws Exception {
    dispatcher.handle(verified(StripeFixtures.event("invoice.paid")));
    assertThat(calls)
        .containsExactlyInAnyOrder(
            "delivery:invoice.paid", "any:invoice.paid", "last:invoice.paid", "exact:invoice");
    assertThat(calls.indexOf("any:invoice.paid")).isLessThan(calls.indexOf("last:invoice.paid"));
  }

  @Test
  void observersCanUseRequestScopedBeansOnAThreadWithoutARequest() throws Exception {
    // A worker thread (async processing, replay, recovery) has no request context of its own.
    Thread worker =
        new Thread(
            () -> {
              try {
                dispatcher.handle(verified(StripeFixtures.event("payout.failed")));
              } catch (Exception e) {
                calls.add("failed:" + e);
              }
            });
    worker.start();
    worker.join(10_000);
    assertThat(calls).contains("ledger:payout.failed").noneMatch(c -> c.startsWith("failed:"));
  }

  @Test
  void prefixPatternsSelectTypedDataObjects() throws Exception {
    dispatcher.handle(verified(StripeFixtures.event("customer.subscription.deleted")));
    assertThat(calls).contains("prefix:subscription").doesNotContain("exact:invoice");
    calls.clear();
    dispatcher.handle(verified(StripeFixtures.event("customer.created")));
    assertThat(calls).containsExactlyInAnyOrder("any:customer.created", "last:customer.created");
  }

  @Test
  void deliversDataObjectsOfEventsFromAnotherApiVersion() throws Exception {
    JsonObject json = StripeFixtures.eventJson("invoice.paid");
    json.addProperty("api_version", "2020-08-27");
    dispatcher.handle(verified(StripeFixtures.toBytes(json)));
    assertThat(calls).contains("exact:invoice");
  }

  @Test
  void deliversThinNotifications() throws Exception {
    byte[] thin =
        ("{\"id\":\"evt_thin_1\",\"object\":\"v2.core.event\","
                + "\"type\":\"v1.billing.meter.error_report_triggered\",\"livemode\":false,"
                + "\"created\":\"2026-11-23T10:00:00.000Z\",\"related_object\":{\"id\":\"mtr_1\"}}")
            .getBytes(StandardCharsets.UTF_8);
    dispatcher.handle(verified(thin));
    assertThat(calls).containsExactly("thin:v1.billing.meter.error_report_triggered");
  }

  @Test
  void thinObserversFetchThroughTheEndpointsClientAndWithFetchV1TypesGetTheObject()
      throws Exception {
    try (RecordedStripeApi api = RecordedStripeApi.start()) {
      JsonObject notification =
          api.paymentIntentNotification("v1.payment_intent.succeeded", "acct_1Observed");
      String intent = notification.getAsJsonObject("related_object").get("id").getAsString();
      byte[] thin = StripeFixtures.toBytes(notification);

      dispatcher.handle(verified(thin, StripeApiAccess.of(api.client(), false, (ok, n) -> {})));
      assertThat(calls).containsExactly("fetched:" + intent);

      calls.clear();
      dispatcher.handle(verified(thin, StripeApiAccess.of(api.client(), true, (ok, n) -> {})));
      assertThat(calls).containsExactlyInAnyOrder("fetched:" + intent, "snapshot:" + intent);
      assertThat(api.requests)
          .hasSize(3)
          .allSatisfy(
              request -> {
                assertThat(request.path()).isEqualTo("/v1/payment_intents/" + intent);
                assertThat(request.authorization())
                    .isEqualTo("Bearer " + RecordedStripeApi.API_KEY);
                assertThat(request.stripeContext()).isEqualTo("acct_1Observed");
              });
    }
  }

  @Test
  void rethrowsWhatASyncObserverThrew() {
    assertThatThrownBy(() -> dispatcher.handle(verified(StripeFixtures.event("charge.failed"))))
        .isInstanceOf(java.io.IOException.class)
        .hasMessage("ledger unavailable");
  }

  @Test
  void runsAsyncObserversOnAnotherThread() throws Exception {
    dispatcher.handle(verified(StripeFixtures.event("payout.paid")));
    assertThat(asyncSeen.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(calls)
        .anySatisfy(
            call ->
                assertThat(call)
                    .startsWith("async:payout.paid:")
                    .doesNotEndWith(":" + Thread.currentThread().getName()));
  }

  @Test
  void alertsReachCdiObservers() {
    CdiLookup.events(getClass().getClassLoader())
        .orElseThrow()
        .accept(
            new dev.stripewebhook.WebhookAlert(
                dev.stripewebhook.WebhookAlert.Kind.SILENCE, "quiet", java.time.Instant.now()));
    assertThat(calls).containsExactly("alert:SILENCE");
  }

  @ApplicationScoped
  public static class TwoPatterns {
    void both(
        @Observes @StripeEventType("invoice.paid") @StripeEventType("invoice.voided")
            Event event) {}
  }

  @Test
  void refusesAnObserverWithTwoPatternsAtDeployment() {
    Weld weld =
        new Weld("two-patterns")
            .disableDiscovery()
            .addBeanClasses(TwoPatterns.class)
            .addExtensions(new StripeEventsExtension());
    assertThatThrownBy(weld::initialize).hasStackTraceContaining("one pattern per observer");
  }

  static VerifiedEvent verified(byte[] body) throws Exception {
    return verified(body, StripeApiAccess.none());
  }

  static VerifiedEvent verified(byte[] body, StripeApiAccess api) throws Exception {
    WebhookConfig config = WebhookConfig.builder().secrets(SECRET).build();
    return SignatureVerifier.create(config, api)
        .verify(body, SignedPayload.of(body).secret(SECRET).header());
  }
}
