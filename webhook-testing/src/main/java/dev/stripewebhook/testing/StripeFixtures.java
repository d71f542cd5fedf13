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
import java.util.UUID;

/**
 * Realistic Stripe events of any type, built from Stripe's own OpenAPI fixtures (the objects
 * stripe-mock serves): the type's object as {@code data.object} in a v1 event envelope with a fresh
 * id.
 *
 * <pre>{@code
 * byte[] body = StripeFixtures.event("payment_intent.succeeded");
 * JsonObject json = StripeFixtures.eventJson("customer.subscription.updated"); // to change first
 * }</pre>
 *
 * @since 0.1
 */
public final class StripeFixtures {
  private static final String RESOURCE = "stripe-openapi-fixtures3.json";
  private static final Gson GSON = new Gson();
  private static volatile JsonObject resources;

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
