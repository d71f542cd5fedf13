// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.testing;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.stripe.Stripe;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Realistic Stripe events of any type, built from Stripe's own OpenAPI fixtures (the objects
 * stripe-mock serves): the type's object as {@code data.object} in a v1 event envelope with a fresh
 * id. Thin event notifications too, as event destinations with a thin payload send them.
 *
 * <pre>{@code
 * byte[] body = StripeFixtures.event("payment_intent.succeeded");
 * JsonObject json = StripeFixtures.eventJson("customer.subscription.updated"); // to change first
 * byte[] thin = StripeFixtures.thinEvent(StripeFixtures.EVENT_DESTINATION_PING);
 * }</pre>
 *
 * @since 0.1
 */
public final class StripeFixtures {
  private static final String RESOURCE = "stripe-openapi-fixtures3.json";
  private static final Gson GSON = new Gson();
  private static volatile JsonObject resources;

  /** The thin event Stripe sends to test an event destination: {@value}. */
  public static final String EVENT_DESTINATION_PING = "v2.core.event_destination.ping";

  /** A thin event about a v1 resource that stripe-java types: {@value}. */
  public static final String METER_ERROR_REPORT_TRIGGERED =
      "v1.billing.meter.error_report_triggered";

  /**
   * One of Stripe's health alerts (Workbench, Health tab), a thin event without a related object:
   * {@value}.
   */
  public static final String HEALTH_EVENT_GENERATION_FAILURE_RESOLVED =
      "v2.core.health.event_generation_failure.resolved";

  private static final DateTimeFormatter RFC_3339_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private StripeFixtures() {}

  /** A new event of {@code type} as compact JSON bytes. */
  public static byte[] event(String type) {
    return toBytes(eventJson(type));
  }

  /**
   * A new event of {@code type}, to be changed before it is sent: id {@code evt_test_...}, created
   * now, test mode, this stripe-java's API version.
   *
   * @throws IllegalArgumentException when no fixture object fits the type
   */
  public static JsonObject eventJson(String type) {
    JsonObject event = new JsonObject();
    event.addProperty("id", "evt_test_" + UUID.randomUUID().toString().replace("-", ""));
    event.addProperty("object", "event");
    event.addProperty("api_version", Stripe.API_VERSION);
    event.addProperty("created", Instant.now().getEpochSecond());
    JsonObject data = new JsonObject();
    data.add("object", dataObject(type));
    event.add("data", data);
    event.addProperty("livemode", false);
    event.addProperty("pending_webhooks", 1);
    JsonObject request = new JsonObject();
    request.add("id", JsonNull.INSTANCE);
    request.add("idempotency_key", JsonNull.INSTANCE);
    event.add("request", request);
    event.addProperty("type", type);
    return event;
  }

  /**
   * A copy of Stripe's fixture object for an event type: {@code customer.subscription.updated}
   * gives the {@code subscription}, {@code checkout.session.completed} the {@code
   * checkout.session}.
   */
  public static JsonObject dataObject(String type) {
    int lastDot = type.lastIndexOf('.');
    String path = lastDot > 0 ? type.substring(0, lastDot) : type;
    JsonObject all = resources();
    JsonElement found = all.get(path);
    if (found == null) {
      found = all.get(path.substring(path.lastIndexOf('.') + 1));
    }
    if (found == null || !found.isJsonObject()) {
      throw new IllegalArgumentException(
          "No Stripe fixture object for event type " + type + "; known objects: " + all.keySet());
    }
    return found.getAsJsonObject().deepCopy();
  }

  /** A new thin event notification of {@code type} as compact JSON bytes. */
  public static byte[] thinEvent(String type) {
    return toBytes(thinEventJson(type));
  }

  /**
   * A new thin event notification of {@code type} ({@code "object": "v2.core.event"}), to be
   * changed before it is sent: id {@code evt_test_65...}, {@code created} now as an RFC 3339
   * string, test mode, no {@code context} (add one for a connected account) and no {@code reason}.
   * It carries a {@code related_object} ({@code id}, {@code type}, {@code url}) for the types whose
   * related object is known here: {@code v1.billing.meter.*} a {@code billing.meter}, {@code
   * v2.core.event_destination.*} a {@code v2.core.event_destination}, {@code v2.core.account.*} a
   * {@code v2.core.account}; other types (the health alerts among them) carry none. A thin payload
   * has no {@code data} and no {@code api_version}.
   */
  public static JsonObject thinEventJson(String type) {
    JsonObject event = new JsonObject();
    event.addProperty("id", "evt_test_65" + UUID.randomUUID().toString().replace("-", ""));
    event.addProperty("object", "v2.core.event");
    event.addProperty("type", type);
    event.addProperty("livemode", false);
    event.addProperty("created", RFC_3339_MILLIS.format(Instant.now()));
    JsonObject related = relatedObject(type);
    if (related != null) {
      event.add("related_object", related);
    }
    return event;
  }

  private static JsonObject relatedObject(String type) {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    String objectType;
    String id;
    String url;
    if (type.startsWith("v1.billing.meter.")) {
      objectType = "billing.meter";
      id = "mtr_test_" + suffix;
      url = "/v1/billing/meters/" + id;
    } else if (type.startsWith("v2.core.event_destination.")) {
      objectType = "v2.core.event_destination";
      id = "ed_test_" + suffix;
      url = "/v2/core/event_destinations/" + id;
    } else if (type.startsWith("v2.core.account.") || type.startsWith("v2.core.account[")) {
      objectType = "v2.core.account";
      id = "acct_test_" + suffix;
      url = "/v2/core/accounts/" + id;
    } else {
      return null;
    }
    JsonObject related = new JsonObject();
    related.addProperty("id", id);
    related.addProperty("type", objectType);
    related.addProperty("url", url);
    return related;
  }

  /** The compact UTF-8 bytes of {@code json}. */
  public static byte[] toBytes(JsonElement json) {
    return GSON.toJson(json).getBytes(StandardCharsets.UTF_8);
  }

  private static JsonObject resources() {
    JsonObject loaded = resources;
    if (loaded == null) {
      try (InputStream in = StripeFixtures.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(RESOURCE + " is missing from the classpath");
        }
        JsonObject root =
            GSON.fromJson(new InputStreamReader(in, StandardCharsets.UTF_8), JsonObject.class);
        loaded = resources = root.getAsJsonObject("resources");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return loaded;
  }
}
