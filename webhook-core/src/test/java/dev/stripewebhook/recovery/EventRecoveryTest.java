// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.StripeClient;
import com.sun.net.httpserver.HttpServer;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookSigner;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.testing.StripeFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recovery against a local server that answers as Stripe's Events API does: pages of realistic
 * events, newest first, {@code has_more} and {@code starting_after} paging.
 */
class EventRecoveryTest {
  static final String SECRET = RecordedEventsApi.SECRET;
  static final String API_KEY = RecordedEventsApi.API_KEY;
  static final Instant NOW = RecordedEventsApi.NOW;
  static final Clock CLOCK = RecordedEventsApi.CLOCK;

  final RecordedEventsApi api = new RecordedEventsApi();
  final List<String> queries = api.queries;
  final List<String> handled = new CopyOnWriteArrayList<>();
  final Map<String, byte[]> handledBodies = new java.util.concurrent.ConcurrentHashMap<>();
  final Map<String, VerifiedEvent> handledEvents = new java.util.concurrent.ConcurrentHashMap<>();
  final WebhookConfig config = WebhookConfig.builder().secrets(SECRET).clock(CLOCK).build();
  final EventInbox inbox = new InMemoryEventInbox(InboxOptions.defaults());
  HttpServer stripe;
  JsonObject newest;
  JsonObject middle;
  JsonObject oldest;

  @BeforeEach
  void startRecordedStripe() throws IOException {
    api.start();
    stripe = api.server;
    newest = api.newest;
    middle = api.middle;
    oldest = api.oldest;
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  StripeClient client() {
    return StripeClient.builder()
        .setApiKey(API_KEY)
        .setApiBase("http://127.0.0.1:" + stripe.getAddress().getPort())
        .build();
  }

  EventRecovery recovery(StripeEventHandler... handlers) {
    return EventRecovery.create(client(), config, endpoint(config, EventHandlers.of(handlers)));
  }

  StripeEventHandler recorder(String failingType) {
    return new StripeEventHandler() {
      @Override
      public Set<String> eventTypes() {
        return Set.of("*");
      }

      @Override
      public void handle(VerifiedEvent event) {
        handled.add(event.id());
        handledBodies.put(event.id(), event.body());
        handledEvents.put(event.id(), event);
        if (event.type().equals(failingType)) {
          throw new IllegalStateException("ledger unavailable");
        }
      }
    };
  }

  static String id(JsonObject event) {
    return RecordedEventsApi.id(event);
  }

  @Test
  void listsEveryPageStoresSignedEventsAndHandlesThemOldestFirst() throws Exception {
    EventRecovery.Report report =
        recovery(recorder(null))
            .run(
                EventRecovery.Range.last(Duration.ofDays(30), CLOCK),
                EventRecovery.Options.all().onlyUndelivered());

    assertThat(report).isEqualTo(new EventRecovery.Report(3, 3, 0, 0, 3, 0, 0, List.of(), 0));
    assertThat(handled).containsExactly(id(oldest), id(middle), id(newest));
    assertThat(queries).hasSize(2);
    assertThat(queries.get(0))
        .startsWith("GET ")
        .contains("delivery_success=false")
        .contains("limit=100")
        .doesNotContain("starting_after")
        .contains("created[gte]=" + NOW.minus(Duration.ofDays(30)).getEpochSecond());
    assertThat(queries.get(1))
        .contains("starting_after=" + id(middle))
        .contains("delivery_success=false");

    for (JsonObject event : List.of(newest, middle, oldest)) {
      InboxRecord record = inbox.find(id(event)).orElseThrow();
      assertThat(record.status()).isEqualTo(InboxStatus.DONE);
      assertThat(record.clientAddress()).isEqualTo(EventRecovery.CLIENT_ADDRESS);
      // The handlers got the stored bytes after they verified again: the API's event, nulls and
      // all.
      JsonElement seen =
          JsonParser.parseString(new String(handledBodies.get(id(event)), StandardCharsets.UTF_8));
      assertThat(seen).isEqualTo(event);
    }
    assertThat(inbox.find(id(oldest)).orElseThrow().apiVersion()).isEqualTo("2020-08-27");
  }

  @Test
  void aSecondRunStoresNothingNewAndRunsNoHandlerAgain() throws Exception {
    EventRecovery.Range range = EventRecovery.Range.last(Duration.ofDays(30), CLOCK);
    recovery(recorder(null)).run(range, EventRecovery.Options.all());
    handled.clear();

    EventRecovery.Report second = recovery(recorder(null)).run(range, EventRecovery.Options.all());

    assertThat(second).isEqualTo(new EventRecovery.Report(3, 0, 3, 0, 0, 0, 0, List.of(), 0));
    assertThat(handled).isEmpty();
    assertThat(queries).hasSize(4);
  }

  @Test
  void aHandlerFailureIsReportedAndLeavesTheEventFailed() throws Exception {
    EventRecovery.Range range = EventRecovery.Range.last(Duration.ofDays(30), CLOCK);
    EventRecovery.Report report =
        recovery(recorder("charge.refunded")).run(range, EventRecovery.Options.all());

    assertThat(report.processed()).isEqualTo(2);
    assertThat(report.failed()).isEqualTo(1);
    assertThat(report.failedEventIds()).containsExactly(id(middle));
    InboxRecord failed = inbox.find(id(middle)).orElseThrow();
    assertThat(failed.status()).isEqualTo(InboxStatus.FAILED);
    assertThat(failed.lastError()).contains("ledger unavailable");
    // Signed with the endpoint's secret, so it verifies again when replayed.
    assertThat(
            SignatureVerifier.create(config)
                .verifyStored(failed.body(), failed.signatureHeader())
                .id())
        .isEqualTo(id(middle));

    // Run again once fixed: only the failed one is handled.
    handled.clear();
    EventRecovery.Report again = recovery(recorder(null)).run(range, EventRecovery.Options.all());
    assertThat(again).isEqualTo(new EventRecovery.Report(3, 0, 3, 0, 1, 0, 0, List.of(), 0));
    assertThat(handled).containsExactly(id(middle));
  }

  @Test
  void sendsTypeFiltersAndTheEndOfTheRange() throws Exception {
    Instant since = Instant.parse("2026-11-01T00:00:00Z");
    Instant until = Instant.parse("2026-11-02T00:00:00Z");
    recovery()
        .run(
            new EventRecovery.Range(since, until),
            EventRecovery.Options.all().onlyTypes(List.of("invoice.*")).listOnly());
    recovery()
        .run(
            new EventRecovery.Range(since, until),
            EventRecovery.Options.all()
                .onlyTypes(List.of("invoice.paid", "charge.refunded"))
                .listOnly());
    assertThat(queries.get(0))
        .contains("type=invoice.*")
        .contains("created[gte]=" + since.getEpochSecond())
        .contains("created[lt]=" + until.getEpochSecond())
        .doesNotContain("delivery_success");
    assertThat(queries.get(2))
        .contains("types[0]=invoice.paid")
        .contains("types[1]=charge.refunded");
    assertThatThrownBy(() -> EventRecovery.Options.all().onlyTypes(List.of("invoice.*", "a.b")))
        .hasMessageContaining("a wildcard type works alone");
  }

  WebhookEndpoint endpoint(WebhookConfig endpointConfig, EventHandlers handlers) {
    return WebhookEndpoint.builder(endpointConfig).handlers(handlers).inbox(inbox).build();
  }

  @Test
  void withoutHandlersRecoveredEventsAreStoredButNeverMarkedDone() throws Exception {
    // The endpoint's processing is the servlet behind its filter, which runs only in a delivery:
    // marking the events done here would lose them (Stripe's redelivery would be a duplicate).
    EventRecovery.Report report =
        EventRecovery.create(client(), config, endpoint(config, EventHandlers.none()))
            .run(EventRecovery.Range.last(Duration.ofDays(30), CLOCK), EventRecovery.Options.all());

    assertThat(report).isEqualTo(new EventRecovery.Report(3, 3, 0, 0, 0, 0, 0, List.of(), 3));
    for (JsonObject event : List.of(oldest, middle, newest)) {
      assertThat(inbox.find(id(event)).orElseThrow().status()).isEqualTo(InboxStatus.RECEIVED);
    }
  }

  @Test
  void aDryRunStoresAndHandlesNothing() throws Exception {
    EventRecovery.Report report =
        recovery(recorder(null))
            .run(
                EventRecovery.Range.last(Duration.ofDays(30), CLOCK),
                EventRecovery.Options.all().listOnly());
    assertThat(report).isEqualTo(new EventRecovery.Report(3, 3, 0, 0, 0, 0, 0, List.of(), 0));
    assertThat(handled).isEmpty();
    assertThat(inbox.find(id(newest))).isEmpty();
  }

  @Test
  void eventsOfAModeWithoutASecretAreRefusedNotStored() throws Exception {
    newest.addProperty("livemode", true);
    WebhookConfig testOnly =
        WebhookConfig.builder().testSecrets(List.of(SECRET)).clock(CLOCK).build();
    EventRecovery.Report report =
        EventRecovery.create(
                client(), testOnly, endpoint(testOnly, EventHandlers.of(recorder(null))))
            .run(EventRecovery.Range.last(Duration.ofDays(30), CLOCK), EventRecovery.Options.all());
    assertThat(report.refused()).isEqualTo(1);
    assertThat(report.stored()).isEqualTo(2);
    assertThat(inbox.find(id(newest))).isEmpty();
  }

  // The v2 Events API: thin events, stored as the notification Stripe delivers.

  EventRecovery.Options v2() {
    return EventRecovery.Options.all().from(EventRecovery.EventsApi.V2);
  }

  @Test
  void v2FollowsNextPageUrlsAndStoresEachEventAsItsThinNotification() throws Exception {
    EventRecovery.Report report =
        recovery(recorder(null)).run(EventRecovery.Range.last(Duration.ofDays(30), CLOCK), v2());

    assertThat(report).isEqualTo(new EventRecovery.Report(3, 3, 0, 0, 3, 0, 0, List.of(), 0));
    assertThat(queries).isEmpty();
    assertThat(api.v2Queries).hasSize(2);
    assertThat(api.v2Queries.get(0))
        .startsWith("GET /v2/core/events?")
        .contains("created[gte]=" + NOW.minus(Duration.ofDays(30)))
        .doesNotContain("created[lt]")
        .doesNotContain("page=")
        .doesNotContain("types")
        .doesNotContain("object_id");
    // The second page is the first page's next_page_url, as it stands.
    assertThat(api.v2Queries.get(1))
        .isEqualTo("GET /v2/core/events?page=" + RecordedEventsApi.V2_PAGE_TOKEN);
    assertThat(handled).containsExactly(id(api.v2Oldest), id(api.v2Middle), id(api.v2Newest));

    for (JsonObject event : List.of(api.v2Newest, api.v2Middle, api.v2Oldest)) {
      InboxRecord record = inbox.find(id(event)).orElseThrow();
      assertThat(record.status()).isEqualTo(InboxStatus.DONE);
      assertThat(record.clientAddress()).isEqualTo(EventRecovery.CLIENT_ADDRESS);
      // The handlers got the stored bytes after they verified again: the notification.
      JsonObject seen =
          JsonParser.parseString(new String(handledBodies.get(id(event)), StandardCharsets.UTF_8))
              .getAsJsonObject();
      assertThat(seen).isEqualTo(RecordedEventsApi.notificationOf(event));
      assertThat(seen.has("data")).isFalse();
      assertThat(seen.has("changes")).isFalse();
      assertThat(seen.get("related_object")).isEqualTo(event.get("related_object"));
      VerifiedEvent verified = handledEvents.get(id(event));
      assertThat(verified.isThin()).isTrue();
      assertThat(verified.type()).isEqualTo(event.get("type").getAsString());
      assertThat(verified.created()).contains(Instant.parse(event.get("created").getAsString()));
    }
    // What a handler reads: stripe-java's typed notification, with its related object and context.
    assertThat(handledEvents.get(id(api.v2Oldest)).eventNotification())
        .isInstanceOfSatisfying(
            com.stripe.events.V1BillingMeterErrorReportTriggeredEventNotification.class,
            notification ->
                assertThat(notification.getRelatedObject().getId())
                    .isEqualTo("mtr_test_61RCjiqdTDC91zgip41IqPCzPnxqqSVc"));
    assertThat(handledEvents.get(id(api.v2Middle)).eventNotification().getContext())
        .hasToString("acct_1RecV2Connected01");
  }

  @Test
  void v2UndeliveredOnlyLeavesEventsAlreadyInTheInboxAlone() throws Exception {
    EventRecovery.Range range = EventRecovery.Range.last(Duration.ofDays(30), CLOCK);
    // A first run stores all three; the account event's handler fails, so it stays failed.
    EventRecovery.Report first = recovery(recorder("v2.core.account.updated")).run(range, v2());
    assertThat(first.failedEventIds()).containsExactly(id(api.v2Middle));
    handled.clear();

    EventRecovery.Report undelivered = recovery(recorder(null)).run(range, v2().onlyUndelivered());

    assertThat(undelivered).isEqualTo(new EventRecovery.Report(3, 0, 3, 0, 0, 0, 0, List.of(), 0));
    assertThat(handled).isEmpty();
    assertThat(inbox.find(id(api.v2Middle)).orElseThrow().status()).isEqualTo(InboxStatus.FAILED);
    // Not undelivered only: what is in the inbox but not done is handled, as from the v1 API.
    EventRecovery.Report all = recovery(recorder(null)).run(range, v2());
    assertThat(all).isEqualTo(new EventRecovery.Report(3, 0, 3, 0, 1, 0, 0, List.of(), 0));
    assertThat(handled).containsExactly(id(api.v2Middle));
  }

  @Test
  void v2UndeliveredOnlyStoresWhatTheInboxLacks() throws Exception {
    // Two were delivered to this endpoint (one is still being processed there): the API cannot
    // tell, the inbox can.
    delivered(api.v2Middle);
    delivered(api.v2Oldest);

    EventRecovery.Report report =
        recovery(recorder(null))
            .run(EventRecovery.Range.last(Duration.ofDays(30), CLOCK), v2().onlyUndelivered());

    assertThat(report).isEqualTo(new EventRecovery.Report(3, 1, 2, 0, 1, 0, 0, List.of(), 0));
    assertThat(handled).containsExactly(id(api.v2Newest));
    assertThat(inbox.find(id(api.v2Oldest)).orElseThrow().clientAddress()).isEqualTo("3.18.12.63");
  }

  void delivered(JsonObject event) throws Exception {
    byte[] body = StripeFixtures.toBytes(RecordedEventsApi.notificationOf(event));
    String header = WebhookSigner.header(NOW.getEpochSecond(), body, List.of(SECRET));
    inbox.receive(SignatureVerifier.create(config).verify(body, header), header, "3.18.12.63");
  }

  @Test
  void aV2DryRunStoresAndHandlesNothing() throws Exception {
    EventRecovery.Report report =
        recovery(recorder(null))
            .run(EventRecovery.Range.last(Duration.ofDays(30), CLOCK), v2().listOnly());
    assertThat(report).isEqualTo(new EventRecovery.Report(3, 3, 0, 0, 0, 0, 0, List.of(), 0));
    assertThat(handled).isEmpty();
    assertThat(inbox.find(id(api.v2Newest))).isEmpty();
    assertThat(api.v2Queries).allMatch(query -> query.startsWith("GET "));
  }

  @Test
  void v2SendsExactTypesTheObjectIdAndTheEndOfTheRange() throws Exception {
    Instant since = Instant.parse("2026-11-01T00:00:00Z");
    Instant until = Instant.parse("2026-11-02T00:00:00Z");
    recovery()
        .run(
            new EventRecovery.Range(since, until),
            v2().onlyTypes(
                    List.of("v1.billing.meter.error_report_triggered", "v2.core.account.updated"))
                .onlyObject("mtr_test_61RCjiqdTDC91zgip41IqPCzPnxqqSVc")
                .listOnly());
    assertThat(api.v2Queries.get(0))
        .contains("types[0]=v1.billing.meter.error_report_triggered")
        .contains("types[1]=v2.core.account.updated")
        .contains("object_id=mtr_test_61RCjiqdTDC91zgip41IqPCzPnxqqSVc")
        .contains("created[gte]=2026-11-01T00:00:00Z")
        .contains("created[lt]=2026-11-02T00:00:00Z");
    assertThatThrownBy(() -> v2().onlyTypes(List.of("v1.billing.meter.*")))
        .hasMessageContaining("exact types only");
    assertThatThrownBy(() -> EventRecovery.Options.all().onlyObject("mtr_1"))
        .hasMessageContaining("only the v2 Events API filters by object id");
  }

  @Test
  void aV2NextPageUrlThatNamesAnotherHostIsNotRequestedWithTheKey() throws Exception {
    HttpServer elsewhere = HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    List<String> authorizations = new CopyOnWriteArrayList<>();
    elsewhere.createContext(
        "/",
        exchange -> {
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    elsewhere.start();
    try {
      // Appended to the API base "http://127.0.0.1:port" this names the other server as the host.
      api.v2FirstNext = "@127.0.0.1:" + elsewhere.getAddress().getPort() + "/v2/core/events?page=x";
      assertThatThrownBy(
              () ->
                  recovery(recorder(null))
                      .run(EventRecovery.Range.last(Duration.ofDays(30), CLOCK), v2()))
          .isInstanceOf(com.stripe.exception.ApiException.class)
          .hasMessageContaining("not a page of /v2/core/events");
      assertThat(authorizations).isEmpty();
      assertThat(api.v2Queries).hasSize(1);
    } finally {
      elsewhere.stop(0);
    }
  }

  @Test
  void aV2NextPageUrlThatRepeatsStopsTheListingInsteadOfLoopingForever() throws Exception {
    api.v2SecondNext = "/v2/core/events?page=" + RecordedEventsApi.V2_PAGE_TOKEN;
    assertThatThrownBy(
            () ->
                recovery(recorder(null))
                    .run(EventRecovery.Range.last(Duration.ofDays(30), CLOCK), v2()))
        .isInstanceOf(com.stripe.exception.ApiException.class)
        .hasMessageContaining("already read");
    assertThat(api.v2Queries).hasSize(2);
  }

  @Test
  void aV2PageThatIsNotJsonIsAnApiErrorAndWhatWasStoredIsKept() throws Exception {
    api.v2LaterBody = "<html>502 Bad Gateway</html>";
    assertThatThrownBy(
            () ->
                recovery(recorder(null))
                    .run(EventRecovery.Range.last(Duration.ofDays(30), CLOCK), v2()))
        .isInstanceOf(com.stripe.exception.ApiException.class)
        .hasMessageContaining("not a page of events");
    assertThat(inbox.find(id(api.v2Newest))).isPresent();
  }
}
