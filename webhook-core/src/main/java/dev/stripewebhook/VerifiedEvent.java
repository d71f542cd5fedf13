// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.model.Event;
import com.stripe.model.EventDataClassLookup;
import com.stripe.model.StripeActiveObject;
import com.stripe.model.StripeObject;
import com.stripe.model.v2.core.EventNotification;
import com.stripe.net.ApiResource;
import com.stripe.net.HttpHeaders;
import com.stripe.net.StripeResponse;
import dev.stripewebhook.internal.Utf8BodyReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A delivery whose signature verified: the raw body, the signed timestamp and the event's envelope
 * (id, type, mode, account...), read without building stripe-java's object tree. The stripe-java
 * {@link Event} is built once, on the first call to {@link #event()}: a duplicate delivery or an
 * event nobody handles never pays for it.
 *
 * <p>The body is held once, in the array the delivery was read into: the inbox and the doors that
 * replay it (the servlet filter's {@code getInputStream()}, the JAX-RS entity stream) read that
 * array; {@link #body()} gives a copy, {@link #bodyStream()} and {@link #bodyBuffer()} read-only
 * views, so nothing a handler does to what it got changes what the next reader or the inbox sees.
 *
 * <p>Thread safe.
 *
 * @since 0.1
 */
public final class VerifiedEvent {
  private static final System.Logger LOG = System.getLogger(VerifiedEvent.class.getName());
  private static final Set<String> WARNED_API_VERSIONS = ConcurrentHashMap.newKeySet();

  private final byte[] body;
  private final long signedAt;
  private final EventEnvelope envelope;
  private final int dataObjectStart;
  private final String dataObjectStartType;
  private final StripeApiAccess api;
  private volatile Event event;
  private volatile StripeObject dataObject;
  private volatile StripeObject related;
  private volatile Optional<String> relatedUrl;

  /**
   * @param dataObjectStart where {@code data.object}'s value (an object) starts in {@code body}, as
   *     a tree of the body holds it; -1 when it is not an object, or the event is thin
   * @param dataObjectStartType that object's {@code object} member
   * @param api the endpoint's access to Stripe's API, for thin events
   */
  VerifiedEvent(
      byte[] body,
      long signedAt,
      EventEnvelope envelope,
      int dataObjectStart,
      String dataObjectStartType,
      StripeApiAccess api) {
    this.body = body;
    this.signedAt = signedAt;
    this.envelope = envelope;
    this.dataObjectStart = dataObjectStart;
    this.dataObjectStartType = dataObjectStartType;
    this.api = api;
  }

  EventEnvelope envelope() {
    return envelope;
  }

  /** The event id, {@code evt_...}; the key for deduplication. */
  public String id() {
    return envelope.id();
  }

  /** The event type, such as {@code invoice.paid} or, for a thin event, {@code v1.billing...}. */
  public String type() {
    return envelope.type();
  }

  /** Whether this is a thin event notification ({@code "object": "v2.core.event"}). */
  public boolean isThin() {
    return envelope.thin();
  }

  /** When Stripe created the event, if the payload says. */
  public Optional<Instant> created() {
    return Optional.ofNullable(envelope.created());
  }

  /** Whether it is a live-mode event, if the payload says. */
  public Optional<Boolean> livemode() {
    return Optional.ofNullable(envelope.livemode());
  }

  /** The connected account the event belongs to (Connect), if any. */
  public Optional<String> account() {
    return Optional.ofNullable(envelope.account());
  }

  /** The API version the payload is rendered in, if the payload says. */
  public Optional<String> apiVersion() {
    return Optional.ofNullable(envelope.apiVersion());
  }

  /** The id of the object the event is about ({@code data.object.id}), if any. */
  public Optional<String> dataObjectId() {
    return Optional.ofNullable(envelope.dataObjectId());
  }

  /** The {@code t} of the verified signature, in seconds since the epoch. */
  public long signedAt() {
    return signedAt;
  }

  /**
   * A copy of the body exactly as received and verified: a new array on every call, the caller's to
   * change. To read the bytes without copying them, use {@link #bodyStream()} or {@link
   * #bodyBuffer()}.
   */
  public byte[] body() {
    return body.clone();
  }

  /**
   * A new stream over the body exactly as received and verified, from its first byte; reads the
   * held bytes without copying them.
   */
  public InputStream bodyStream() {
    return new ByteArrayInputStream(body);
  }

  /**
   * A read-only view of the body exactly as received and verified, positioned at its first byte; a
   * new buffer on every call, over the held bytes (not a copy).
   */
  public ByteBuffer bodyBuffer() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  /**
   * A new reader of the body as UTF-8 text (Stripe's bodies are UTF-8 JSON), decoded straight from
   * the held bytes; malformed bytes read as U+FFFD, as {@link java.io.InputStreamReader} reads
   * them.
   */
  public Reader bodyReader() {
    return new Utf8BodyReader(body);
  }

  /** The length of the body in bytes. */
  public int bodyLength() {
    return body.length;
  }

  /** The body as UTF-8 text. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * The stripe-java event, built from the verified bytes on first use and then kept. For a thin
   * event that {@link #fetchesSnapshot()} and whose related object is a snapshot event, that event,
   * fetched from Stripe's API.
   *
   * @throws IllegalStateException for any other thin event: use {@link #eventNotification()}
   * @throws ThinEventFetchException when the fetch fails
   */
  public Event event() {
    Event built = event;
    if (built == null) {
      synchronized (this) {
        built = event;
        if (built == null) {
          built = event = buildEvent();
        }
      }
    }
    return built;
  }

  private Event buildEvent() {
    if (isThin()) {
      if (fetchesSnapshot() && related() instanceof Event snapshot) {
        return snapshot;
      }
      throw new IllegalStateException(
          "Event "
              + id()
              + " is a thin event notification"
              + " (v2.core.event) that refers to no snapshot event; read it with"
              + " eventNotification()");
    }
    String payload = bodyAsString();
    Event built =
        StripeObject.deserializeStripeObject(
            payload, Event.class, ApiResource.getGlobalResponseGetter());
    // As stripe-java's Webhook does: the raw JSON of an event comes from its "last response".
    built.setLastResponse(new StripeResponse(200, HttpHeaders.of(Map.of()), payload));
    return built;
  }

  /**
   * The event's data object ({@code data.object}) as its stripe-java class, built on first use and
   * then kept. When the event is rendered in this stripe-java's API version, the object is bound
   * straight from the verified bytes, without building the {@link Event}; the result is the same as
   * {@code event().getDataObjectDeserializer().getObject()}. When the event is rendered in another
   * API release train than this stripe-java's, stripe-java's checked deserialization refuses it;
   * this falls back to its best-effort one, and logs that once per API version.
   *
   * <p>For a thin event that {@link #fetchesSnapshot()}: its related object, fetched from Stripe's
   * API on first use (or, when that is a snapshot event, its data object).
   *
   * @throws IllegalStateException for any other thin event (the message names the fix), or when
   *     even the best-effort deserialization fails
   * @throws ThinEventFetchException when the fetch fails
   */
  public StripeObject dataObject() {
    StripeObject kept = dataObject;
    if (kept == null) {
      synchronized (this) {
        kept = dataObject;
        if (kept == null) {
          StripeObject fromBody = dataObjectFromBody();
          kept =
              dataObject =
                  fromBody != null
                      ? fromBody
                      : isThin() ? dataObjectOfThinEvent() : dataObjectOf(event());
        }
      }
    }
    return kept;
  }

  /**
   * {@code data.object} bound from the body, as stripe-java's {@code getObject()} would bind it;
   * {@code null} when that is not certain to give the same object: a thin event, another API
   * version than {@link Stripe#API_VERSION}, an object type stripe-java does not know, or anything
   * unexpected in the JSON. The envelope's pass found where the object starts and its type, so the
   * bind reads only the object's bytes, once; with duplicate {@code data} or {@code data.object}
   * keys that is the last of each, as in stripe-java's tree.
   */
  StripeObject dataObjectFromBody() {
    if (dataObjectStart < 0
        || dataObjectStartType == null
        || !Stripe.API_VERSION.equals(envelope.apiVersion())) {
      return null;
    }
    TypeAdapter<? extends StripeObject> adapter = DataObjectAdapters.of(dataObjectStartType);
    if (adapter == null) {
      return null;
    }
    try {
      JsonReader reader =
          new JsonReader(new Utf8BodyReader(body, dataObjectStart, body.length - dataObjectStart));
      // As Gson.fromJson reads, the way stripe-java's getObject() takes too.
      reader.setStrictness(Strictness.LENIENT);
      StripeObject object = adapter.read(reader);
      // As stripe-java does for the objects it deserializes: they can make API calls.
      if (object instanceof StripeActiveObject active) {
        active.setResponseGetter(ApiResource.getGlobalResponseGetter());
      }
      return object;
    } catch (IOException | RuntimeException e) {
      return null; // the Event path reports it, as it did before
    }
  }

  /**
   * stripe-java's {@code INTERNAL_GSON} adapter for each data object type of {@link
   * EventDataClassLookup}, looked up once per type.
   */
  private static final class DataObjectAdapters {
    private static final Map<String, TypeAdapter<? extends StripeObject>> ADAPTERS =
        new ConcurrentHashMap<>();

    static TypeAdapter<? extends StripeObject> of(String objectType) {
      TypeAdapter<? extends StripeObject> known = ADAPTERS.get(objectType);
      if (known != null) {
        return known;
      }
      Class<? extends StripeObject> type = EventDataClassLookup.classLookup.get(objectType);
      if (type == null) {
        return null; // not cached: the map holds only the types stripe-java knows
      }
      TypeAdapter<? extends StripeObject> adapter = ApiResource.INTERNAL_GSON.getAdapter(type);
      ADAPTERS.putIfAbsent(objectType, adapter);
      return adapter;
    }
  }

  private StripeObject dataObjectOfThinEvent() {
    if (!fetchesSnapshot()) {
      throw new IllegalStateException(
          "Event "
              + id()
              + " ("
              + type()
              + ") is a thin event notification: it carries no data object. Read it with"
              + " eventNotification() and fetch what you need, or, for a related object of API v1,"
              + " configure "
              + WebhookConfig.Keys.API_KEY
              + " and "
              + WebhookConfig.Keys.THIN_EVENTS
              + "=fetch");
    }
    StripeObject fetched = related();
    return fetched instanceof Event snapshot ? dataObjectOf(snapshot) : fetched;
  }

  /**
   * Whether this is a thin event whose data Stripe's API is asked for when {@link #dataObject()}
   * (or, for a related snapshot event, {@link #event()}) is called: {@value
   * WebhookConfig.Keys#THIN_EVENTS}{@code =fetch}, an API key, and a related object of API v1.
   */
  public boolean fetchesSnapshot() {
    return isThin() && api.fetchesSnapshots() && relatedUrl().isPresent();
  }

  /**
   * {@code related_object.url} when it is a path of API v1 (the only kind fetched for snapshot
   * types); stripe-java's typed notifications read the same field.
   */
  private Optional<String> relatedUrl() {
    Optional<String> url = relatedUrl;
    if (url == null) {
      url = relatedUrl = Optional.ofNullable(readRelatedUrl()).filter(VerifiedEvent::isV1Path);
    }
    return url;
  }

  private String readRelatedUrl() {
    try {
      JsonObject root = ApiResource.GSON.fromJson(bodyReader(), JsonObject.class);
      JsonElement relatedObject = root.get("related_object");
      if (relatedObject == null || !relatedObject.isJsonObject()) {
        return null;
      }
      JsonElement url = relatedObject.getAsJsonObject().get("url");
      return url != null && url.isJsonPrimitive() ? url.getAsString() : null;
    } catch (RuntimeException e) {
      return null; // not a notification stripe-java could read either
    }
  }

  private static boolean isV1Path(String url) {
    return url.startsWith("/v1/") && url.matches("/v1/[A-Za-z0-9_./-]+") && !url.contains("..");
  }

  /** The related object, fetched once through the endpoint's client. */
  private StripeObject related() {
    StripeObject fetched = related;
    if (fetched == null) {
      synchronized (this) {
        fetched = related;
        if (fetched == null) {
          EventNotification notification = eventNotification();
          String context = notification.context == null ? null : notification.context.toString();
          fetched = related = api.fetch(id(), relatedUrl().orElseThrow(), context);
        }
      }
    }
    return fetched;
  }

  private StripeObject dataObjectOf(Event snapshot) {
    var deserializer = snapshot.getDataObjectDeserializer();
    Optional<StripeObject> exact = deserializer.getObject();
    if (exact.isPresent()) {
      return exact.get();
    }
    String version =
        snapshot.getApiVersion() != null ? snapshot.getApiVersion() : apiVersion().orElse("(none)");
    if (WARNED_API_VERSIONS.add(version)) {
      LOG.log(
          Level.WARNING,
          "Stripe events in API version {0} do not match stripe-java''s {1};"
              + " their data objects are deserialized best-effort. Set the webhook endpoint''s API"
              + " version to this stripe-java''s release train.",
          version,
          Stripe.API_VERSION);
    }
    try {
      return deserializer.deserializeUnsafe();
    } catch (EventDataObjectDeserializationException e) {
      throw new IllegalStateException(
          "Event "
              + id()
              + ": data object of API version "
              + version
              + " cannot be deserialized: "
              + e.getMessage(),
          e);
    }
  }

  /** The data object as {@code type}, as {@link #dataObject()} does. */
  public <T extends StripeObject> T dataObject(Class<T> type) {
    return type.cast(dataObject());
  }

  /**
   * The thin event notification, parsed by stripe-java (its typed subclass, such as {@code
   * V1BillingMeterErrorReportTriggeredEventNotification}, when stripe-java knows the type), bound
   * to the endpoint's {@link StripeClient}: its {@code fetchEvent()} and {@code
   * fetchRelatedObject()} call Stripe's API with the notification's context ({@code
   * Stripe-Context}: the connected account or organization) applied, as stripe-java does. Without
   * an API key ({@value WebhookConfig.Keys#API_KEY}) it is not bound, and stripe-java's fetch
   * methods fail (with stripe-java 33.3.0, a {@code NullPointerException}); bind it yourself with
   * {@link #eventNotification(StripeClient)}. A new object on every call.
   *
   * @throws IllegalStateException when this is a snapshot event
   */
  public EventNotification eventNotification() {
    return eventNotification(api.client().orElse(null));
  }

  /** The thin event notification, parsed by stripe-java, bound to {@code client} for fetches. */
  public EventNotification eventNotification(StripeClient client) {
    if (!isThin()) {
      throw new IllegalStateException(
          "Event " + id() + " is a snapshot event; read it with" + " event()");
    }
    return EventNotification.fromJson(bodyAsString(), client);
  }

  @Override
  public String toString() {
    return "VerifiedEvent[" + id() + ", " + type() + "]";
  }
}
