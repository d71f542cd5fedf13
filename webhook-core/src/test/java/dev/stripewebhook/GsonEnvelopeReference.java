// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The envelope reader as it was before {@link EnvelopeReader}: Gson's {@code JsonReader} in strict
 * mode over a UTF-8 {@code InputStreamReader}, walking the whole body. Kept, unchanged but for its
 * name, as the reference the byte-level reader must agree with ({@link EnvelopeDifferentialTest},
 * {@link SignatureFuzzTest}).
 */
final class GsonEnvelopeReference {
  private GsonEnvelopeReference() {}

  /**
   * What a reader makes of a body: the envelope or the reason it refused it, and what {@code
   * peekLivemode} answers.
   */
  record Outcome(EventEnvelope envelope, Reason reason, Boolean peekedLivemode) {
    /** This reference's reading. */
    static Outcome ofReference(byte[] body) {
      Boolean peeked = peekLivemode(body);
      try {
        return new Outcome(read(body), null, peeked);
      } catch (WebhookVerificationException e) {
        return new Outcome(null, e.reason(), peeked);
      }
    }

    /** {@link EventEnvelope}'s reading: a runtime exception is not caught, it fails the test. */
    static Outcome ofEnvelopeReader(byte[] body) {
      Boolean peeked = EventEnvelope.peekLivemode(body);
      try {
        return new Outcome(EventEnvelope.read(body), null, peeked);
      } catch (WebhookVerificationException e) {
        return new Outcome(null, e.reason(), peeked);
      }
    }
  }

  /**
   * Reads the envelope of a verified body.
   *
   * @throws WebhookVerificationException {@code MALFORMED_PAYLOAD} when the body is not one JSON
   *     object, or not a Stripe event with an {@code id} and a {@code type}
   */
  static EventEnvelope read(byte[] body) throws WebhookVerificationException {
    try (JsonReader reader = reader(body)) {
      Fields fields = new Fields();
      reader.beginObject();
      while (reader.hasNext()) {
        switch (reader.nextName()) {
          case "id" -> fields.id = nullableString(reader);
          case "object" -> fields.object = nullableString(reader);
          case "type" -> fields.type = nullableString(reader);
          case "created" -> fields.created = instant(reader);
          case "livemode" -> fields.livemode = nullableBoolean(reader);
          case "account" -> fields.account = nullableString(reader);
          case "api_version" -> fields.apiVersion = nullableString(reader);
          case "data" -> readData(reader, fields);
          case "related_object" -> fields.relatedObjectId = id(reader);
          case "context" -> fields.context = nullableString(reader);
          default -> reader.skipValue();
        }
      }
      reader.endObject();
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw malformed("the body has content after its JSON object");
      }
      return fields.toEnvelope();
    } catch (IOException | IllegalStateException | NumberFormatException | DateTimeException e) {
      // Gson reports syntax errors as IOException (MalformedJsonException) or
      // IllegalStateException; neither message carries more than a position. A "created" that
      // is not a time, or beyond Instant's range (99999999999999999), is malformed too.
      throw malformed("the body is not a JSON object (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Peeks at {@code livemode} in a body that did not verify, for an error message only: never trust
   * it. Returns {@code null} when it cannot be read.
   */
  static Boolean peekLivemode(byte[] body) {
    try (JsonReader reader = reader(body)) {
      reader.beginObject();
      while (reader.hasNext()) {
        if (reader.nextName().equals("livemode") && reader.peek() == JsonToken.BOOLEAN) {
          return reader.nextBoolean();
        }
        reader.skipValue();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static JsonReader reader(byte[] body) {
    JsonReader reader =
        new JsonReader(
            new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
    reader.setStrictness(Strictness.STRICT);
    return reader;
  }

  private static String nullableString(JsonReader reader) throws IOException {
    if (reader.peek() == JsonToken.NULL) {
      reader.nextNull();
      return null;
    }
    if (reader.peek() != JsonToken.STRING) {
      reader.skipValue();
      return null;
    }
    return reader.nextString();
  }

  private static Boolean nullableBoolean(JsonReader reader) throws IOException {
    if (reader.peek() != JsonToken.BOOLEAN) {
      reader.skipValue();
      return null;
    }
    return reader.nextBoolean();
  }

  /** {@code created} is unix seconds in v1 events and an RFC 3339 string in thin ones. */
  private static Instant instant(JsonReader reader) throws IOException {
    return switch (reader.peek()) {
      case NUMBER -> Instant.ofEpochSecond(reader.nextLong());
      case STRING -> Instant.parse(reader.nextString());
      default -> {
        reader.skipValue();
        yield null;
      }
    };
  }

  /** Reads the {@code id} of {@code {"id": ...}}. */
  private static String id(JsonReader reader) throws IOException {
    if (reader.peek() != JsonToken.BEGIN_OBJECT) {
      reader.skipValue();
      return null;
    }
    String id = null;
    reader.beginObject();
    while (reader.hasNext()) {
      if (reader.nextName().equals("id")) {
        id = nullableString(reader);
      } else {
        reader.skipValue();
      }
    }
    reader.endObject();
    return id;
  }

  /** Reads {@code {"object": {"id": ..., "object": ...}}}: the data object's id and type. */
  private static void readData(JsonReader reader, Fields fields) throws IOException {
    if (reader.peek() != JsonToken.BEGIN_OBJECT) {
      reader.skipValue();
      return;
    }
    reader.beginObject();
    while (reader.hasNext()) {
      if (!reader.nextName().equals("object") || reader.peek() != JsonToken.BEGIN_OBJECT) {
        reader.skipValue();
        continue;
      }
      reader.beginObject();
      while (reader.hasNext()) {
        switch (reader.nextName()) {
          case "id" -> fields.dataObjectId = nullableString(reader);
          case "object" -> fields.dataObjectType = nullableString(reader);
          default -> reader.skipValue();
        }
      }
      reader.endObject();
    }
    reader.endObject();
  }

  private static WebhookVerificationException malformed(String what) {
    return new WebhookVerificationException(
        Reason.MALFORMED_PAYLOAD,
        "The signature verified, but "
            + what
            + "; a Stripe event is a JSON object with an id,"
            + " an object of \"event\" or \"v2.core.event\", and a type.");
  }

  private static final class Fields {
    String id;
    String object;
    String type;
    Instant created;
    Boolean livemode;
    String account;
    String apiVersion;
    String dataObjectId;
    String dataObjectType;
    String relatedObjectId;
    String context;

    EventEnvelope toEnvelope() throws WebhookVerificationException {
      if (!EventEnvelope.SNAPSHOT.equals(object) && !EventEnvelope.THIN.equals(object)) {
        throw malformed("its \"object\" is not \"event\" or \"v2.core.event\"");
      }
      if (id == null || id.isEmpty() || type == null || type.isEmpty()) {
        throw malformed("it has no string \"id\" or \"type\"");
      }
      boolean thin = EventEnvelope.THIN.equals(object);
      return new EventEnvelope(
          id,
          object,
          type,
          created,
          livemode,
          thin ? context : account,
          apiVersion,
          thin ? relatedObjectId : dataObjectId,
          thin ? null : dataObjectType);
    }
  }
}
