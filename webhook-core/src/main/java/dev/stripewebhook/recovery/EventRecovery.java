// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.recovery;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.StripeClient;
import com.stripe.exception.ApiException;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import com.stripe.model.StripeCollection;
import com.stripe.net.ApiResource;
import com.stripe.net.StripeResponse;
import com.stripe.param.EventListParams;
import dev.stripewebhook.LogText;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerificationConfig;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookSigner;
import dev.stripewebhook.WebhookVerificationException;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.StoredEventProcessor;
import dev.stripewebhook.pipeline.Storable;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Recovers events Stripe could not deliver: lists them from Stripe's Events API for a time range,
 * stores each in the endpoint's event inbox, and runs the handlers on those not yet done. Running
 * it twice is safe: the inbox knows events by id, so a second run stores nothing again and runs no
 * handler on an event already done.
 *
 * <p>Events read from the API carry no webhook signature. Each body is signed here, as Stripe signs
 * a delivery, with every signing secret of the endpoint that fits the event's mode, so that the
 * stored record verifies again later like any delivery (and stops verifying if those secrets are
 * all removed). Its client address is recorded as {@value #CLIENT_ADDRESS}. An event the endpoint's
 * mode and account rules refuse is counted as refused and not stored.
 *
 * <p>It reads one of Stripe's two Events APIs ({@link EventsApi}). From {@code GET /v1/events}
 * (snapshot events, the default) the body is the event object exactly as the API returned it, in
 * the API version it was created with, which may differ from the endpoint's. From {@code GET
 * /v2/core/events} (thin events, for an endpoint that an event destination with thin payloads
 * delivers to) the body is the thin notification Stripe would have delivered: the v2 event resource
 * without the members Stripe's API reference lists as fetched only ({@code data} and {@code
 * changes}), every other member (id, object, type, created, livemode, context, reason,
 * related_object...) as the API returned it. The v2 API has no delivery filter, so "undelivered
 * only" there means: not in this endpoint's inbox (an event already in it is left alone).
 *
 * <h2>Usage</h2>
 *
 * In the application, with the running filter's configuration and processor (its inbox and
 * handlers), which it publishes as servlet context attributes:
 *
 * <pre>{@code
 * WebhookConfig config =
 *     (WebhookConfig) servletContext.getAttribute(StripeWebhookFilter.CONFIG_ATTRIBUTE);
 * StoredEventProcessor processor =
 *     (StoredEventProcessor) servletContext.getAttribute(StoredEventProcessor.ATTRIBUTE);
 * StripeClient stripe = new StripeClient(System.getenv("STRIPE_API_KEY"));
 * EventRecovery.Report report = EventRecovery.create(stripe, config, processor)
 *     .run(EventRecovery.Range.last(Duration.ofDays(30), config.verification().clock()),
 *         EventRecovery.Options.all().onlyUndelivered());
 * }</pre>
 *
 * or from the command line ({@code java -jar stripe-webhook-cli.jar recover}). Never logs the API
 * key or a secret. Thread safe; runs may overlap (the inbox's claims keep each event handled once).
 *
 * @since 0.1
 */
public final class EventRecovery {
  /** The client address recorded for events recovered from the Events API: {@value}. */
  public static final String CLIENT_ADDRESS = "stripe-events-api";

  /** How far back Stripe's Events API lists events. */
  public static final Duration STRIPE_RETENTION = Duration.ofDays(30);

  private static final System.Logger LOG = System.getLogger(EventRecovery.class.getName());
  // Compact, keeping null members and without Gson's default HTML escaping of <, >, &, = and ':
  // the body keeps every member and character the API returned.
  private static final Gson GSON =
      new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
  private static final long PAGE_SIZE = 100;
  // The members of a v2 event that its notification lacks: Stripe's API reference lists them as
  // "fetched attributes" of each thin event type.
  private static final Set<String> FETCHED_ONLY = Set.of("data", "changes");
  private static final String V2_EVENTS = "/v2/core/events";

  /** Which Events API a recovery reads. */
  public enum EventsApi {
    /** {@code GET /v1/events}: snapshot events, stored as the API returns them. */
    V1,
    /**
     * {@code GET /v2/core/events}: thin events, stored as the notification Stripe delivers to an
     * event destination with thin payloads.
     */
    V2
  }

  private final StripeClient client;
  private final WebhookConfig config;
  private final StoredEventProcessor processor;
  private final SignatureVerifier verifier;
  private final Consumer<String> progress;

  private EventRecovery(
      StripeClient client,
      WebhookConfig config,
      StoredEventProcessor processor,
      Consumer<String> progress) {
    this.client = client;
    this.config = config;
    this.processor = processor;
    this.verifier = SignatureVerifier.create(config);
    this.progress = progress;
  }

  /**
   * A recovery that lists events through {@code client} and stores and handles them with {@code
   * processor}, signing them with the secrets of {@code config}, the endpoint's configuration.
   */
  public static EventRecovery create(
      StripeClient client, WebhookConfig config, StoredEventProcessor processor) {
    return new EventRecovery(
        Objects.requireNonNull(client, "client == null"),
        Objects.requireNonNull(config, "config == null"),
        Objects.requireNonNull(processor, "processor == null"),
        line -> {});
  }

  /** The same recovery, also telling {@code lines} one line per event and per page. */
  public EventRecovery reportingTo(Consumer<String> lines) {
    return new EventRecovery(
        client, config, processor, Objects.requireNonNull(lines, "lines == null"));
  }

  /**
   * The events created from {@code since} (inclusive) until {@code until} (exclusive; null: now).
   */
  public record Range(Instant since, Instant until) {
    /** Checks that {@code since} is given and before {@code until}. */
    public Range {
      Objects.requireNonNull(since, "since == null");
      if (until != null && !since.isBefore(until)) {
        throw new IllegalArgumentException(
            "the range starts at " + since + ", not before its end " + until);
      }
    }

    /** The events created during the {@code period} before the clock's now (whole seconds). */
    public static Range last(Duration period, Clock clock) {
      return new Range(clock.instant().truncatedTo(ChronoUnit.SECONDS).minus(period), null);
    }
  }

  /**
   * Which events to recover and what to do with them.
   *
   * @param undeliveredOnly from the v1 API, only events with a failed delivery to some endpoint
   *     ({@code delivery_success=false}); from the v2 API, which has no such filter, only events
   *     not in this endpoint's inbox; otherwise all of the range
   * @param types event types to list: none for all; from the v1 API one pattern ({@code invoice.*}
   *     allowed) or up to 20 exact types, from the v2 API up to 20 exact types
   * @param dryRun list and count only: nothing is stored or handled
   * @param api the Events API to read
   * @param objectId from the v2 API only: just the events of this object ({@code object_id}, the id
   *     of their related object); null for all
   */
  public record Options(
      boolean undeliveredOnly, List<String> types, boolean dryRun, EventsApi api, String objectId) {
    /** Checks the types and the object id against what Stripe's filters take. */
    public Options {
      types = List.copyOf(types);
      Objects.requireNonNull(api, "api == null");
      if (types.size() > 20) {
        throw new IllegalArgumentException("at most 20 event types, " + types.size() + " given");
      }
      boolean wildcard = types.stream().anyMatch(type -> type.contains("*"));
      if (api == EventsApi.V2 && wildcard) {
        throw new IllegalArgumentException(
            "the v2 Events API filters by exact types only (up to 20), no wildcard");
      }
      if (types.size() > 1 && wildcard) {
        throw new IllegalArgumentException(
            "a wildcard type works alone: Stripe's filter for"
                + " several types takes exact types only; give one pattern or exact types");
      }
      if (objectId != null && api != EventsApi.V2) {
        throw new IllegalArgumentException(
            "only the v2 Events API filters by object id; the v1 API has no such filter");
      }
      if (objectId != null && objectId.isBlank()) {
        throw new IllegalArgumentException("the object id is blank");
      }
    }

    /** All events of the range from the v1 Events API, stored and handled. */
    public static Options all() {
      return new Options(false, List.of(), false, EventsApi.V1, null);
    }

    /** Only events not delivered (see {@link Options}). */
    public Options onlyUndelivered() {
      return new Options(true, types, dryRun, api, objectId);
    }

    /** Only these types (see {@link Options}). */
    public Options onlyTypes(List<String> types) {
      return new Options(undeliveredOnly, types, dryRun, api, objectId);
    }

    /** List and count only (a dry run). */
    public Options listOnly() {
      return new Options(undeliveredOnly, types, true, api, objectId);
    }

    /** From the {@code api} Events API. */
    public Options from(EventsApi api) {
      return new Options(undeliveredOnly, types, dryRun, api, objectId);
    }

    /** From the v2 Events API, only the events of the object {@code id}. */
    public Options onlyObject(String id) {
      return new Options(undeliveredOnly, types, dryRun, api, id);
    }
  }

  /**
   * What a run did.
   *
   * @param listed events the API listed
   * @param stored events stored now (in a dry run: not yet in the inbox, so would be stored)
   * @param alreadyPresent events already in the inbox, done or not
   * @param refused events the endpoint's mode and account rules refuse, or no secret fits
   * @param processed events now done (or found done, or skipped as superseded)
   * @param busy events another owner was processing: they finish there
   * @param failed events whose handlers failed; they stay failed (or dead) in the inbox
   * @param failedEventIds the ids of the failed ones, oldest first
   */
  public record Report(
      int listed,
      int stored,
      int alreadyPresent,
      int refused,
      int processed,
      int busy,
      int failed,
      List<String> failedEventIds,
      int awaitingDelivery) {
    /** Copies the ids. */
    public Report {
      failedEventIds = List.copyOf(failedEventIds);
    }

    /** One line: the counts. */
    @Override
    public String toString() {
      return listed
          + " listed, "
          + stored
          + " stored, "
          + alreadyPresent
          + " already present, "
          + refused
          + " refused, "
          + processed
          + " processed, "
          + busy
          + " busy elsewhere, "
          + failed
          + " failed"
          + (awaitingDelivery == 0
              ? ""
              : ", " + awaitingDelivery + " stored but not processed (they need a delivery)");
    }
  }

  /**
   * Lists the events of {@code range} and stores them, then handles the new ones and those stored
   * before but not done, oldest first. Stops at the first API or storage failure, with what was
   * stored kept; running again continues.
   *
   * @throws StripeException when the API cannot be read (a wrong key, no network)
   * @throws InboxException when the inbox cannot store
   */
  public Report run(Range range, Options options) throws StripeException, InboxException {
    Objects.requireNonNull(range, "range == null");
    Objects.requireNonNull(options, "options == null");
    Instant oldest = config.verification().clock().instant().minus(STRIPE_RETENTION);
    // An hour's margin: "30d" computed a moment ago is not worth a note.
    if (range.since().isBefore(oldest.minus(Duration.ofHours(1)))) {
      progress(
          "note: Stripe's Events API keeps "
              + STRIPE_RETENTION.toDays()
              + " days of events;"
              + " none before "
              + oldest
              + " is listed");
    }
    EventInbox inbox = processor.inbox();
    Counts counts = new Counts();
    List<String> toProcess = new ArrayList<>();
    if (options.api() == EventsApi.V2) {
      listV2(range, options, inbox, counts, toProcess);
    } else {
      listV1(range, options, inbox, counts, toProcess);
    }
    List<String> failedIds = new ArrayList<>();
    if (!processor.runsStoredEvents() && !toProcess.isEmpty()) {
      // The servlet or resource behind the endpoint's filter is its processing, and it runs only
      // in a delivery: marking these done here would lose them.
      counts.awaitingDelivery = toProcess.size();
      LOG.log(
          Level.WARNING,
          "{0} recovered Stripe events are stored but not processed: the"
              + " endpoint has no handlers of its own, so the servlet or resource behind its filter"
              + " processes events, and only in a delivery. Resend them from Stripe (Dashboard, or"
              + " stripe events resend), or run recovery with handlers.",
          toProcess.size());
      progress("stored, not processed (no handlers; they need a delivery): " + toProcess.size());
      toProcess.clear();
    }
    // The API lists newest first; handlers see the events in the order they happened.
    Collections.reverse(toProcess);
    for (String id : toProcess) {
      Outcome outcome = processor.process(id);
      switch (outcome) {
        case DONE, SUPERSEDED, ALREADY_DONE -> counts.processed++;
        case BUSY -> counts.busy++;
        case FAILED, DEAD, LEASE_LOST, UNKNOWN -> {
          counts.failed++;
          failedIds.add(id);
          LOG.log(
              Level.WARNING,
              "Recovered Stripe event {0}: handling {1}; see the inbox for" + " its error",
              id,
              outcome.name().toLowerCase(Locale.ROOT));
        }
      }
      progress(id + ": " + outcome.name().toLowerCase(Locale.ROOT));
    }
    Report report =
        new Report(
            counts.listed,
            counts.stored,
            counts.alreadyPresent,
            counts.refused,
            counts.processed,
            counts.busy,
            counts.failed,
            failedIds,
            counts.awaitingDelivery);
    LOG.log(
        Level.INFO,
        "Recovery of Stripe events ({4} Events API) created from {0}{1}{2}: {3}",
        range.since(),
        range.until() == null ? "" : " until " + range.until(),
        options.undeliveredOnly() ? ", undelivered only" : "",
        options.dryRun()
            ? "dry run, "
                + report.listed()
                + " listed, "
                + report.stored()
                + " not in the inbox, "
                + report.alreadyPresent()
                + " already present, "
                + report.refused()
                + " refused"
            : report,
        options.api().name().toLowerCase(Locale.ROOT));
    return report;
  }

  private void listV1(
      Range range, Options options, EventInbox inbox, Counts counts, List<String> toProcess)
      throws StripeException, InboxException {
    EventListParams.Builder params = params(range, options);
    String after = null;
    boolean more = true;
    while (more) {
      if (after != null) {
        params.setStartingAfter(after);
      }
      StripeCollection<Event> page = client.v1().events().list(params.build());
      // The page's own JSON, not stripe-java's model: the model drops fields it does not know
      // and writes nulls for absent ones, and the body stored must be what Stripe sent.
      JsonArray data =
          JsonParser.parseString(page.getLastResponse().body())
              .getAsJsonObject()
              .getAsJsonArray("data");
      for (JsonElement element : data) {
        String id = element.getAsJsonObject().get("id").getAsString();
        counts.listed++;
        store(element.getAsJsonObject(), id, options, inbox, counts, toProcess);
        after = id;
      }
      more = Boolean.TRUE.equals(page.getHasMore()) && !data.isEmpty();
    }
  }

  /**
   * Lists the v2 Events API page by page: the first page through stripe-java's typed service, the
   * next ones by requesting each page's {@code next_page_url} as it stands (as stripe-java's own
   * auto-paging does), reading every page's own JSON.
   */
  private void listV2(
      Range range, Options options, EventInbox inbox, Counts counts, List<String> toProcess)
      throws StripeException, InboxException {
    StripeResponse response =
        client.v2().core().events().list(paramsV2(range, options)).getLastResponse();
    Set<String> requested = new HashSet<>();
    while (true) {
      JsonObject page = v2Page(response);
      JsonArray data = page.getAsJsonArray("data");
      for (JsonElement element : data) {
        JsonObject event = element.getAsJsonObject();
        String id = event.get("id").getAsString();
        counts.listed++;
        if (options.undeliveredOnly() && inbox.find(id).isPresent()) {
          // In the inbox, so delivered here (which the v2 API cannot tell): left alone.
          counts.alreadyPresent++;
          progress(
              LogText.escape(id)
                  + " "
                  + LogText.escape(type(event))
                  + ": already in the inbox, skipped (delivered)");
          continue;
        }
        store(notification(event), id, options, inbox, counts, toProcess);
      }
      JsonElement next = page.get("next_page_url");
      if (next == null || next.isJsonNull() || data.isEmpty()) {
        return;
      }
      String url = next.getAsString();
      // The client's API key goes with this request, and stripe-java appends the path to its API
      // base as it stands ("@host/..." or ".host/..." would name another host): only a page of the
      // v2 Events API, each at most once (a repeated page would list forever).
      if (!isV2EventsPage(url)) {
        throw new ApiException(
            "Stripe's v2 Events API answered a next_page_url that is not a page of "
                + V2_EVENTS
                + " ("
                + LogText.escape(url)
                + "); stopped",
            response.requestId(),
            null,
            response.code(),
            null);
      }
      if (!requested.add(url)) {
        throw new ApiException(
            "Stripe's v2 Events API answered a next_page_url already read ("
                + LogText.escape(url)
                + "); stopped rather than list the same pages forever",
            response.requestId(),
            null,
            response.code(),
            null);
      }
      response = client.rawRequest(ApiResource.RequestMethod.GET, url, null);
    }
  }

  private static boolean isV2EventsPage(String url) {
    return (url.equals(V2_EVENTS) || url.startsWith(V2_EVENTS + "?"))
        && url.chars().noneMatch(c -> c <= ' ' || c == 0x7f || c == '#' || c == '\\');
  }

  /**
   * A page of the v2 Events API: an object whose {@code data} holds objects with a string {@code
   * id}.
   *
   * @throws ApiException for anything else (an answer that is not JSON, or not a list of events)
   */
  private static JsonObject v2Page(StripeResponse response) throws ApiException {
    try {
      JsonObject page = JsonParser.parseString(response.body()).getAsJsonObject();
      for (JsonElement element : page.getAsJsonArray("data")) {
        element.getAsJsonObject().get("id").getAsString();
      }
      return page;
    } catch (RuntimeException e) {
      throw new ApiException(
          "Stripe's v2 Events API answered HTTP "
              + response.code()
              + " with something that is not a page of events ("
              + e.getClass().getSimpleName()
              + ")",
          response.requestId(),
          null,
          response.code(),
          null);
    }
  }

  /** The thin notification of a v2 event resource: the resource without its fetched members. */
  private static JsonObject notification(JsonObject event) {
    JsonObject notification = new JsonObject();
    for (var member : event.entrySet()) {
      if (!FETCHED_ONLY.contains(member.getKey())) {
        notification.add(member.getKey(), member.getValue());
      }
    }
    return notification;
  }

  private static com.stripe.param.v2.core.EventListParams paramsV2(Range range, Options options) {
    com.stripe.param.v2.core.EventListParams.Created.Builder created =
        com.stripe.param.v2.core.EventListParams.Created.builder().setGte(range.since());
    if (range.until() != null) {
      created.setLt(range.until());
    }
    // No limit: the v2 API's own page size, whose maximum its reference does not state.
    com.stripe.param.v2.core.EventListParams.Builder params =
        com.stripe.param.v2.core.EventListParams.builder().setCreated(created.build());
    if (!options.types().isEmpty()) {
      params.addAllType(options.types());
    }
    if (options.objectId() != null) {
      params.setObjectId(options.objectId());
    }
    return params.build();
  }

  private static String type(JsonObject json) {
    JsonElement type = json.get("type");
    return type != null && type.isJsonPrimitive() ? type.getAsString() : "?";
  }

  private static final class Counts {
    int listed;
    int stored;
    int alreadyPresent;
    int refused;
    int processed;
    int busy;
    int failed;
    int awaitingDelivery;
  }

  private static EventListParams.Builder params(Range range, Options options) {
    EventListParams.Created.Builder created =
        EventListParams.Created.builder().setGte(range.since().getEpochSecond());
    if (range.until() != null) {
      created.setLt(range.until().getEpochSecond());
    }
    EventListParams.Builder params =
        EventListParams.builder().setLimit(PAGE_SIZE).setCreated(created.build());
    if (options.undeliveredOnly()) {
      params.setDeliverySuccess(false);
    }
    if (options.types().size() == 1) {
      params.setType(options.types().get(0));
    } else if (!options.types().isEmpty()) {
      params.addAllType(options.types());
    }
    return params;
  }

  private void store(
      JsonObject json,
      String id,
      Options options,
      EventInbox inbox,
      Counts counts,
      List<String> toProcess)
      throws InboxException {
    String type = type(json);
    byte[] body = GSON.toJson(json).getBytes(StandardCharsets.UTF_8);
    List<String> secrets = secretsFor(json);
    if (secrets.isEmpty()) {
      counts.refused++;
      progress(id + " " + type + ": refused, no configured secret for its mode");
      return;
    }
    // Signed as Stripe signs a delivery, at the clock's now so that the verifier's tolerance holds.
    String header =
        WebhookSigner.header(
            config.verification().clock().instant().getEpochSecond(), body, secrets);
    VerifiedEvent event;
    try {
      event = verifier.verify(body, header);
    } catch (WebhookVerificationException e) {
      counts.refused++;
      progress(id + " " + type + ": refused, " + e.reason().code());
      return;
    }
    String unstorable = Storable.problem(event);
    if (unstorable != null) {
      counts.refused++;
      progress(LogText.escape(id) + ": refused, unstorable-event (" + unstorable + ")");
      return;
    }
    if (options.dryRun()) {
      boolean present = inbox.find(id).isPresent();
      if (present) {
        counts.alreadyPresent++;
      } else {
        counts.stored++;
      }
      progress(
          id
              + " "
              + type
              + " "
              + created(event)
              + ": "
              + (present ? "already present" : "not in the inbox"));
      return;
    }
    Receipt receipt = inbox.receive(event, header, CLIENT_ADDRESS);
    switch (receipt) {
      case NEW -> {
        counts.stored++;
        toProcess.add(id);
      }
      case PENDING -> {
        counts.alreadyPresent++;
        toProcess.add(id);
      }
      case DONE -> counts.alreadyPresent++;
    }
    progress(
        id
            + " "
            + type
            + " "
            + created(event)
            + ": "
            + switch (receipt) {
              case NEW -> "stored";
              case PENDING -> "already present, not done";
              case DONE -> "already done";
            });
  }

  private static String created(VerifiedEvent event) {
    return event.created().map(Instant::toString).orElse("");
  }

  /** The endpoint's secrets that can verify this event: the unbound ones and those of its mode. */
  private List<String> secretsFor(JsonObject json) {
    VerificationConfig verification = config.verification();
    List<String> secrets = new ArrayList<>(verification.secrets());
    JsonElement livemode = json.get("livemode");
    if (livemode != null && livemode.isJsonPrimitive()) {
      secrets.addAll(
          livemode.getAsBoolean() ? verification.liveSecrets() : verification.testSecrets());
    }
    return secrets;
  }

  private void progress(String line) {
    progress.accept(line);
  }
}
