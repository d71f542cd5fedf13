// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.stripe.Stripe;
import dev.stripewebhook.testing.StripeFixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * A {@code payment_intent.succeeded} event of about a given size, padded in {@code
 * data.object.metadata}, whose event id and PaymentIntent id are filled in per request. Its {@code
 * api_version} is stripe-java's own ({@link Stripe#API_VERSION}), so that {@code
 * getDataObjectDeserializer().getObject()} binds the object in the hand-written servlet too, as it
 * does for an endpoint pinned to the version of the stripe-java it runs. Laid out as Stripe sends
 * events (pretty-printed), so that a reader meets the whitespace it meets in production.
 */
final class EventTemplate {
  // As Stripe sends an event: indented by two spaces, one member a line, null fields written out
  // ("application": null; Gson's default drops them).
  private static final Gson GSON = new GsonBuilder().serializeNulls().setPrettyPrinting().create();
  private static final int ID_DIGITS = 24;
  private static final String EVENT_MARK = "evt_" + "A".repeat(ID_DIGITS);
  private static final String OBJECT_MARK = "pi_" + "B".repeat(ID_DIGITS);
  // Kept when the fixture must shrink to reach a small size: what a receiver typically reads.
  private static final Set<String> SMALL_FIELDS =
      Set.of(
          "id",
          "object",
          "amount",
          "amount_received",
          "currency",
          "status",
          "created",
          "livemode",
          "metadata",
          "customer",
          "payment_method",
          "latest_charge",
          "description",
          "capture_method");

  private final byte[] bytes;
  private final int eventIdAt;
  private final int objectIdAt;

  private EventTemplate(byte[] bytes) {
    if (!new String(bytes, StandardCharsets.UTF_8)
        .contains("\"api_version\": \"" + Stripe.API_VERSION + "\"")) {
      throw new IllegalStateException("the template is not in API version " + Stripe.API_VERSION);
    }
    this.bytes = bytes;
    this.eventIdAt = indexOf(bytes, EVENT_MARK) + 4;
    this.objectIdAt = indexOf(bytes, OBJECT_MARK) + 3;
  }

  /** An event whose JSON is {@code targetBytes} long or a little longer. */
  static EventTemplate paymentIntentSucceeded(int targetBytes) {
    JsonObject event = StripeFixtures.eventJson("payment_intent.succeeded");
    event.addProperty("id", EVENT_MARK);
    JsonObject object = event.getAsJsonObject("data").getAsJsonObject("object");
    object.addProperty("id", OBJECT_MARK);
    object.addProperty("status", "succeeded");
    object.addProperty("amount_received", object.get("amount").getAsLong());
    object.add("canceled_at", JsonNull.INSTANCE);
    object.add("cancellation_reason", JsonNull.INSTANCE);
    object.add("last_payment_error", JsonNull.INSTANCE);
    completeAsStripeSendsIt(object);
    if (toBytes(event).length > targetBytes) {
      for (String key : List.copyOf(object.keySet())) {
        if (!SMALL_FIELDS.contains(key)) {
          object.remove(key);
        }
      }
    }
    JsonObject metadata = new JsonObject();
    object.add("metadata", metadata);
    metadata.addProperty("order_id", "ord_1234567890");
    for (int i = 0; toBytes(event).length < targetBytes; i++) {
      metadata.addProperty("pad_" + i, "x".repeat(100));
    }
    return new EventTemplate(toBytes(event));
  }

  /**
   * Fills in the nested objects that Stripe's fixture leaves empty or null but a card payment's
   * event carries, so that the typed object's binding meets nested objects as in production.
   */
  private static void completeAsStripeSendsIt(JsonObject intent) {
    intent.addProperty("description", "Order ord_1234567890");
    intent.addProperty("receipt_email", "jenny.rosen@example.com");
    intent.addProperty("statement_descriptor_suffix", "ORDER 1234");
    JsonObject automatic = new JsonObject();
    automatic.addProperty("allow_redirects", "always");
    automatic.addProperty("enabled", true);
    intent.add("automatic_payment_methods", automatic);
    JsonObject card = new JsonObject();
    card.add("installments", JsonNull.INSTANCE);
    card.add("mandate_options", JsonNull.INSTANCE);
    card.add("network", JsonNull.INSTANCE);
    card.addProperty("request_three_d_secure", "automatic");
    JsonObject options = new JsonObject();
    options.add("card", card);
    intent.add("payment_method_options", options);
    JsonObject address = new JsonObject();
    address.addProperty("city", "San Francisco");
    address.addProperty("country", "US");
    address.addProperty("line1", "510 Townsend St");
    address.add("line2", JsonNull.INSTANCE);
    address.addProperty("postal_code", "94103");
    address.addProperty("state", "CA");
    JsonObject shipping = new JsonObject();
    shipping.add("address", address);
    shipping.add("carrier", JsonNull.INSTANCE);
    shipping.addProperty("name", "Jenny Rosen");
    shipping.add("phone", JsonNull.INSTANCE);
    shipping.add("tracking_number", JsonNull.INSTANCE);
    intent.add("shipping", shipping);
  }

  private static byte[] toBytes(JsonObject json) {
    return GSON.toJson(json).getBytes(StandardCharsets.UTF_8);
  }

  /** The body size in bytes. */
  int size() {
    return bytes.length;
  }

  /** A fresh copy with event id {@code evt_<n>} and PaymentIntent id {@code pi_<n>}. */
  byte[] render(long n) {
    byte[] body = bytes.clone();
    writeDigits(body, eventIdAt, n);
    writeDigits(body, objectIdAt, n);
    return body;
  }

  private static void writeDigits(byte[] body, int at, long n) {
    long rest = n;
    for (int i = at + ID_DIGITS - 1; i >= at; i--) {
      body[i] = (byte) ('0' + rest % 10);
      rest /= 10;
    }
  }

  private static int indexOf(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i <= haystack.length - n.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException(needle + " not found in the template");
  }
}
