// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic, signed {@code payment_intent.succeeded} deliveries of a nominal size: Stripe's
 * fixture PaymentIntent in a v1 event envelope with a fixed id and time, its {@code metadata}
 * padded with entries until the compact JSON is exactly the nominal size. Null fields are written
 * out, as Stripe does. The 1 KB one is the fixture without its null fields and a few optional ones
 * (the whole fixture event is about 1.5 KB).
 */
public final class Payloads {
  /** The endpoint secret every payload is signed with. */
  public static final String SECRET = "whsec_benchmark0123456789abcdefghijklmnopqrstu";

  /** When the events were created: 2026-11-23T12:00:00Z. */
  public static final long CREATED = 1_795_435_200L;

  /** The signed timestamp, a second after creation. */
  public static final long SIGNED_AT = CREATED + 1;

  /** A clock two seconds after signing, so every header stays within the tolerance. */
  public static final Clock CLOCK =
      Clock.fixed(Instant.ofEpochSecond(SIGNED_AT + 2), ZoneOffset.UTC);

  /** The event type of every payload. */
  public static final String TYPE = "payment_intent.succeeded";

  /** Compact, with nulls: Stripe sends {@code "description":null}, not nothing. */
  private static final Gson GSON = new GsonBuilder().serializeNulls().create();

  /** As Stripe sends webhooks: indented by two spaces, {@code "key": value}, nulls written. */
  private static final Gson PRETTY_GSON =
      new GsonBuilder().serializeNulls().setPrettyPrinting().create();

  /** How the JSON of a payload is laid out. */
  public enum Layout {
    /** No whitespace: the least a body can be. */
    COMPACT,
    /** Indented, as Stripe's webhook bodies are. */
    PRETTY;

    /** The layout of a benchmark parameter: {@code compact} or {@code pretty}. */
    public static Layout of(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The UTF-8 bytes of {@code json} in this layout, nulls written. */
    public byte[] bytes(JsonElement json) {
      return Payloads.bytes(json, gson());
    }

    private Gson gson() {
      return this == COMPACT ? GSON : PRETTY_GSON;
    }
  }

  /** The smallest metadata entry, {@code ,"line_0001":"x"}. */
  private static final int MIN_ENTRY = 16;

  /** The sizes, by benchmark parameter. */
  public static final Map<String, Integer> SIZES =
      Map.of("1k", 1024, "3k", 3072, "16k", 16 * 1024, "64k", 64 * 1024);

  /** Optional fields dropped, in order, while the trimmed fixture is above the nominal size. */
  private static final List<String> OPTIONAL =
      List.of(
          "last_payment_error",
          "next_action",
          "processing",
          "managed_payments",
          "payment_method_configuration_details",
          "amount_details",
          "transfer_data",
          "client_secret");

  /** A signed delivery: the exact body, its header, and what it should verify to. */
  public record Payload(
      String size,
      int nominalBytes,
      byte[] body,
      String header,
      String eventId,
      String dataObjectId) {}

  private Payloads() {}

  /**
   * The compact payload for a size parameter: {@code 1k}, {@code 3k}, {@code 16k} or {@code 64k}.
   */
  public static Payload of(String size) {
    return of(size, Layout.COMPACT);
  }

  /**
   * The payload for a size parameter, laid out as {@code layout}; exactly that size, either way.
   */
  public static Payload of(String size, Layout layout) {
    Integer nominal = SIZES.get(size);
    if (nominal == null) {
      throw new IllegalArgumentException("unknown size " + size + "; known: " + SIZES.keySet());
    }
    JsonObject event = StripeFixtures.eventJson(TYPE);
    String eventId = "evt_1BenchmarkPayload" + size.toUpperCase(Locale.ROOT);
    event.addProperty("id", eventId);
    event.addProperty("created", CREATED);
    JsonObject object = event.getAsJsonObject("data").getAsJsonObject("object");
    object.addProperty("created", CREATED);
    object.addProperty("status", "succeeded");
    object.addProperty("amount_received", object.get("amount").getAsLong());
    Gson gson = layout.gson();
    trim(event, object, nominal, gson);
    pad(event, object.getAsJsonObject("metadata"), nominal, gson);

    byte[] body = bytes(event, gson);
    String header = SignedPayload.of(body).secret(SECRET).at(SIGNED_AT).header();
    return new Payload(size, nominal, body, header, eventId, object.get("id").getAsString());
  }

  /**
   * Drops null fields, then optional ones, until the event leaves room for at least one metadata
   * entry below {@code target}.
   */
  private static void trim(JsonObject event, JsonObject object, int target, Gson gson) {
    int limit = target - MIN_ENTRY;
    if (length(event, gson) <= limit) {
      return;
    }
    object.entrySet().removeIf(entry -> entry.getValue().isJsonNull());
    for (String field : OPTIONAL) {
      if (length(event, gson) <= limit) {
        return;
      }
      object.remove(field);
    }
  }

  /**
   * Adds {@code "line_NNNN": "<48 characters>"} entries, then one shorter entry for the last bytes,
   * so that the event is exactly {@code target} bytes long. What an entry costs besides its value
   * (quotes, colon, comma, indentation) is measured in the layout.
   */
  private static void pad(JsonObject event, JsonObject metadata, int target, Gson gson) {
    SplittableRandom random = new SplittableRandom(target);
    int length = length(event, gson);
    for (int n = 1; length < target; n++) {
      String key = String.format("line_%04d", n);
      metadata.addProperty(key, "");
      int overhead = length(event, gson) - length;
      int left = target - length - overhead;
      // Leave room for the last entry, so that the total comes out exact.
      int valueLength = left <= 48 ? left : Math.min(48, left - Math.max(20, overhead + 1));
      if (valueLength < 1) {
        metadata.remove(key); // less than one entry's overhead left: a few bytes short
        break;
      }
      metadata.addProperty(key, text(random, valueLength));
      length += overhead + valueLength;
    }
  }

  private static String text(SplittableRandom random, int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  private static byte[] bytes(JsonElement json, Gson gson) {
    return gson.toJson(json).getBytes(StandardCharsets.UTF_8);
  }

  private static int length(JsonElement json, Gson gson) {
    return bytes(json, gson).length;
  }
}
