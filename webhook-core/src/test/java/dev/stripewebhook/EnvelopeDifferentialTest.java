// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static dev.stripewebhook.Reason.MALFORMED_PAYLOAD;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.stripewebhook.GsonEnvelopeReference.Outcome;
import dev.stripewebhook.testing.StripeFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The byte-level {@link EnvelopeReader} against the Gson reader it replaced ({@link
 * GsonEnvelopeReference}): on an event of every type the test kit has, on hand-written edge cases
 * and on a few thousand seeded mutations, both give the same envelope, or both refuse with the same
 * reason, and {@code peekLivemode} answers the same.
 */
class EnvelopeDifferentialTest {
  private static final long SEED = 0xE17E_1095_2026L;
  private static final int MUTATIONS_PER_TYPE = 40;
  private static final Gson PRETTY =
      new GsonBuilder().setPrettyPrinting().serializeNulls().create();

  private static List<String> types;

  @BeforeAll
  static void loadTypes() {
    types = new ArrayList<>(fixtureObjects());
  }

  @Test
  void readsAnEventOfEveryFixtureTypeAsGsonDoes() {
    assertThat(types).hasSizeGreaterThan(100);
    for (String object : types) {
      String type = object + ".updated";
      JsonObject json = StripeFixtures.eventJson(type);
      for (byte[] body :
          List.of(StripeFixtures.toBytes(json), PRETTY.toJson(json).getBytes(UTF_8))) {
        Outcome ours = agree(body);
        assertThat(ours.reason()).as(type).isNull();
        assertThat(ours.envelope().type()).isEqualTo(type);
        assertThat(ours.envelope().id()).isEqualTo(json.get("id").getAsString());
        assertThat(ours.envelope().created())
            .isEqualTo(Instant.ofEpochSecond(json.get("created").getAsLong()));
        assertThat(ours.envelope().livemode()).isFalse();
        assertThat(ours.peekedLivemode()).isFalse();
      }
    }
  }

  @Test
  void readsThinEventsAsGsonDoes() {
    Outcome ours =
        agree(
            ("{\"id\":\"evt_test_65R9\",\"object\":\"v2.core.event\",\"type\":"
                    + "\"v1.billing.meter.error_report_triggered\",\"created\":\"2024-09-17T06:20:52.246Z\","
                    + "\"livemode\":false,\"context\":\"acct_123\",\"related_object\":{\"id\":\"mtr_123\","
                    + "\"type\":\"billing.meter\",\"url\":\"/v1/billing/meters/mtr_123\"},"
                    + "\"data\":{\"object\":{\"id\":\"ignored\",\"object\":\"ignored\"}}}")
                .getBytes(UTF_8));
    assertThat(ours.envelope())
        .isEqualTo(
            new EventEnvelope(
                "evt_test_65R9",
                "v2.core.event",
                "v1.billing.meter.error_report_triggered",
                Instant.parse("2024-09-17T06:20:52.246Z"),
                false,
                "acct_123",
                null,
                "mtr_123",
                null));
  }

  @Test
  void decodesEscapesAndSurrogatePairsInReadStrings() {
    Outcome ours =
        agree(
            ("{\"\\u0069d\":\"evt_\\u00e9\\uD83D\\uDE00\\n\\\"\\/\\\\\","
                    + "\"object\":\"ev\\u0065nt\",\"type\":\"a\\tb\\ud83d\",\"data\":{\"object\":{"
                    + "\"id\":\"pi_\u00e9\u4e2d\uD83D\uDE00\",\"object\":\"payment_intent\"}}}")
                .getBytes(UTF_8));
    assertThat(ours.envelope().id()).isEqualTo("evt_\u00e9\uD83D\uDE00\n\"/\\");
    assertThat(ours.envelope().type()).isEqualTo("a\tb\ud83d");
    assertThat(ours.envelope().dataObjectId()).isEqualTo("pi_\u00e9\u4e2d\uD83D\uDE00");
  }

  @Test
  void rejectsAControlCharacterInAReadStringButNotInASkippedOne() {
    assertThat(agree(event("\"type\":\"a\u0001b\"")).reason()).isEqualTo(MALFORMED_PAYLOAD);
    assertThat(agree(event("\"ty\u0001pe\":\"x\"")).reason()).isEqualTo(MALFORMED_PAYLOAD);
    assertThat(agree(event("\"metadata\":{\"k\u0001\":\"a\u0001\tb\"}")).reason()).isNull();
  }

  @Test
  void acceptsNestingTo255LevelsAndRejectsDeeper() {
    assertThat(agree(event("\"x\":" + "[".repeat(254) + "]".repeat(254))).reason()).isNull();
    assertThat(agree(event("\"x\":" + "[".repeat(255) + "]".repeat(255))).reason())
        .isEqualTo(MALFORMED_PAYLOAD);
    assertThat(
            agree(
                    event(
                        "\"data\":{\"object\":{\"x\":"
                            + "{\"a\":".repeat(252)
                            + "1"
                            + "}".repeat(252)
                            + "}}"))
                .reason())
        .isNull();
    assertThat(
            agree(
                    event(
                        "\"data\":{\"object\":{\"x\":"
                            + "{\"a\":".repeat(253)
                            + "1"
                            + "}".repeat(253)
                            + "}}"))
                .reason())
        .isEqualTo(MALFORMED_PAYLOAD);
  }

  @Test
  void readsCreatedAsGsonNextLongDoes() {
    for (String created :
        List.of(
            "1700000000",
            "1.0",
            "1e3",
            "1E+2",
            "-0",
            "-0.0",
            "0",
            "1.5",
            "1e400",
            "99999999999999999",
            "31556889864403199",
            "31556889864403200",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "12345678901234567890",
            "922337203685477580800",
            "9223372036854775808001",
            "\"2024-09-17T06:20:52Z\"",
            "\"yesterday\"",
            "null",
            "true",
            "{}",
            "[1]",
            "01",
            "1.",
            "-",
            "1e",
            ".5",
            "+1",
            "1" + "0".repeat(1022),
            "1" + "0".repeat(1023),
            "0." + "0".repeat(1021),
            "0." + "0".repeat(1022))) {
      agree(event("\"created\":" + created));
    }
  }

  @Test
  void agreesOnEscapesAndEndsAtEveryOffsetOfASkippedString() {
    for (int before = 0; before < 20; before++) {
      String lead = "a".repeat(before);
      for (String middle :
          List.of(
              "\\\"", "\\\\", "\\u0041", "\\x", "\\u00G0", "\u00e9", "\\\"\\\\\\\"", "\u0001")) {
        for (int after = 0; after < 10; after++) {
          String string = "\"" + lead + middle + "b".repeat(after);
          agree(event("\"metadata\":" + string + "\""));
          agree(event("\"metadata\":{" + string + "\":1}"));
          agree(rawEvent("").replaceFirst("\\}$", "").concat(",\"m\":" + string).getBytes(UTF_8));
        }
      }
    }
  }

  @Test
  void agreesOnEscapesControlsAndEndsAtEveryOffsetOfAReadStringOrName() {
    // Read strings and names are searched eight bytes at a time for what ends or breaks them.
    for (int before = 0; before < 20; before++) {
      String lead = "a".repeat(before);
      for (String middle :
          List.of("\\\"", "\\u0041", "\\x", "\u0001", "\u001f", "\u007f", "\u00e9", "\n", "")) {
        for (int after = 0; after < 10; after++) {
          String string = lead + middle + "b".repeat(after);
          agree(event("\"type\":\"" + string + "\""));
          agree(event("\"" + string + "\":1"));
          agree(event("\"type\":\"" + string));
          agree(
              rawEvent("").replace("\"id\":\"in_1\"", "\"id\":\"" + string + "\"").getBytes(UTF_8));
        }
      }
    }
  }

  @Test
  void agreesOnKeywordsTheirPrefixesAndMisspellingsWhereverTheyEnd() {
    // Every cut of each keyword, every wrong letter, followed by a delimiter, junk or the end.
    for (String keyword : List.of("true", "false", "null")) {
      List<String> values = new ArrayList<>();
      for (int cut = 0; cut <= keyword.length(); cut++) {
        values.add(keyword.substring(0, cut));
      }
      for (int i = 0; i < keyword.length(); i++) {
        values.add(keyword.substring(0, i) + 'x' + keyword.substring(i + 1));
      }
      for (String value : values) {
        for (String after : List.of("", "x", "1", " ", "]", "}", ",")) {
          agree(event("\"metadata\":" + value + after));
          agree(event("\"livemode\":" + value + after));
          agree(rawEvent("").replaceFirst("\\}$", ",\"m\":" + value + after).getBytes(UTF_8));
        }
      }
    }
  }

  @Test
  void agreesOnRunsOfSpacesOfEveryLengthAndWhatEndsThem() {
    // Indentation is skipped eight bytes at a time: every length, every end, and the body's end.
    for (int spaces = 0; spaces < 20; spaces++) {
      String run = " ".repeat(spaces);
      for (String after : List.of("1", "\t1", "\n1", "x", "\"s\"", "{}", "]", "", "\u00a01")) {
        agree(event("\"metadata\":" + run + after));
        agree(event("\"metadata\":{\"a\":" + run + after + "}"));
        agree(event("\"metadata\":[" + run + after + run + "]"));
        agree((rawEvent("") + run + after).getBytes(UTF_8));
        agree(rawEvent("").replace(",", "," + run).replace(":", run + ":").getBytes(UTF_8));
      }
    }
  }

  @Test
  void agreesOnHandWrittenEdgeCases() {
    List<byte[]> bodies = new ArrayList<>();
    for (String text :
        List.of(
            "",
            " ",
            "{",
            "}",
            "[]",
            "null",
            "\"x\"",
            "{}",
            "{} ",
            "{}\n\t\r",
            "{}x",
            "{}{}",
            "{} \f",
            "\f{}",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{'a':1}",
            "{a:1}",
            "{\"a\"=1}",
            "{\"a\":1;\"b\":2}",
            "{\"a\":[1,]}",
            "{\"a\":[,1]}",
            "{\"a\":[1 2]}",
            "{\"a\":TRUE}",
            "{\"a\":True}",
            "{\"a\":nul}",
            "{\"a\":truex}",
            "{\"a\":true#}",
            "{\"a\":1/}",
            "{\"a\":/*c*/1}",
            "{\"a\":1}#",
            "{\"a\":1}//",
            "{\"a\":NaN}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\'\"}",
            "{\"a\":\"\\u12G4\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\\",
            "{\"a\":\"abc",
            "{\"a\":\"\\\n\"}",
            "{\"livemode\":true",
            "{\"livemode\":true x",
            "{\"livemode\":true\f}",
            "{\"livemode\":\"true\",\"livemode\":false}",
            "{\"livemode\":tru}",
            "{\"x\":{,},\"livemode\":true}",
            "{\"x\":1,,\"livemode\":true}",
            "{\"livemod\\u0065\":true}",
            "{\"a\":1}\u0000")) {
      bodies.add(text.getBytes(UTF_8));
      bodies.add(event(text.replace("{", "").replace("}", "")));
    }
    bodies.add(bytes("\u00ef\u00bb\u00bf" + new String(event("\"x\":1"), ISO_8859_1)));
    bodies.add(bytes("\u00ef\u00bb\u00bf\u00ef\u00bb\u00bf" + new String(event(""), ISO_8859_1)));
    bodies.add(bytes("\u00ef\u00bb{}"));
    bodies.add(bytes("\u00ef\u00bb\u00bf"));
    for (String invalid :
        List.of(
            "\u00c3",
            "\u00e2\u0082",
            "\u00f0\u009f\u0098",
            "\u00ff",
            "\u00ed\u00a0\u0080",
            "\u00c0\u00af",
            "\u00f4\u0090\u0080\u0080",
            "\u0080",
            "\u00e2\u0082\\n",
            "\u00f0\u009f\\u0041\u0098")) {
      bodies.add(bytes(rawEvent("\"type\":\"a" + invalid + "b\"")));
      bodies.add(bytes(rawEvent("\"id\":\"" + invalid + "\"")));
      bodies.add(bytes(rawEvent("\"ty" + invalid + "pe\":\"x\"")));
      bodies.add(bytes(rawEvent("\"metadata\":\"" + invalid + "\"")));
      bodies.add(bytes(rawEvent("\"metadata\":" + invalid)));
      bodies.add(bytes(rawEvent("\"x\":1") + invalid));
    }
    for (String duplicate :
        List.of(
            "\"id\":\"evt_2\"",
            "\"id\":5",
            "\"type\":null",
            "\"object\":\"v2.core.event\"",
            "\"livemode\":\"x\"",
            "\"created\":true",
            "\"data\":{\"object\":{\"object\":\"charge\"}}",
            "\"data\":{\"object\":{\"id\":7}}",
            "\"data\":{\"object\":5}",
            "\"data\":[]",
            "\"account\":{}",
            "\"context\":\"acct_2\"",
            "\"related_object\":{\"url\":\"u\"}",
            "\"related_object\":{\"id\":\"r2\",\"id\":null}")) {
      bodies.add(event(duplicate));
      bodies.add(
          event(
              duplicate
                  .replace("evt_2", "")
                  .replace(
                      "\"object\":\"v2.core.event\"",
                      "\"object\":\"v2.core.event\",\"related_object\":{\"id\":\"r1\"},\"context\":\"a\"")));
    }
    for (byte[] body : bodies) {
      agree(body);
    }
  }

  @Test
  void agreesWithGsonOnMutatedEventsOfEveryType() {
    Random random = new Random(SEED);
    int refused = 0;
    int accepted = 0;
    for (String object : types) {
      byte[] valid = StripeFixtures.event(object + ".created");
      for (int i = 0; i < MUTATIONS_PER_TYPE; i++) {
        byte[] body =
            i % 2 == 0 ? mutate(random, valid) : mutate(random, randomEnvelope(random, valid));
        if (agree(body).reason() == null) {
          accepted++;
        } else {
          refused++;
        }
      }
    }
    // both kinds of outcome must be well represented, or the comparison says little
    assertThat(accepted).isGreaterThan(types.size() * MUTATIONS_PER_TYPE / 10);
    assertThat(refused).isGreaterThan(types.size() * MUTATIONS_PER_TYPE / 10);
  }

  /** Asserts that both readers make the same of {@code body}; returns ours. */
  static Outcome agree(byte[] body) {
    Outcome reference = Outcome.ofReference(body);
    Outcome ours = Outcome.ofEnvelopeReader(body);
    assertThat(ours).as("body %s", show(body)).isEqualTo(reference);
    return ours;
  }

  private static final String[] STRINGS = {
    "\"evt_1\"",
    "\"\"",
    "\"event\"",
    "\"v2.core.event\"",
    "\"invoice.paid\"",
    "\"\\u0065vent\"",
    "\"ev\\u0065nt\"",
    "\"\\uD83D\\uDE00\"",
    "\"\\uDE00\\uD83D\"",
    "\"a\\\"b\"",
    "\"a\\/b\\\\c\\b\\f\\n\\r\\t\"",
    "\"tab\tin\"",
    "\"\u00c3\u00a9\"",
    "\"\\x\"",
    "\"\\u12G4\"",
    "\"\\'\"",
    "\"\u00c3\"",
    "\"\u00ff\"",
    "\"\u00e2\u0082\"",
    "\"2024-09-17T06:20:52.246Z\"",
    "\"acct_1\"",
    "\"2026-07-29.dahlia\""
  };
  private static final String[] NUMBERS = {
    "1700000000",
    "-1",
    "0",
    "-0",
    "1.0",
    "1e3",
    "1E+2",
    "1.5",
    "1e400",
    "99999999999999999",
    "9223372036854775808",
    "922337203685477580800",
    "01",
    "1.",
    "-",
    "+1",
    "1e",
    "1x"
  };
  private static final String[] LITERALS = {
    "true",
    "false",
    "null",
    "TRUE",
    "nul",
    "truex",
    "{}",
    "[]",
    "[1,2]",
    "[1,]",
    "{\"a\":1,}",
    "{\"a\"}",
    "{\"id\":\"x\",\"object\":\"y\"}",
    "{\"object\":{\"id\":\"ch_1\",\"object\":\"charge\"}}",
    "{\"object\":[]}",
    "{\"k\":\"\u0001\"}",
    "[[[{}]]]",
    "{\"object\":{\"id\":\"ch\u0001\"}}"
  };
  private static final String[] WHITESPACE = {"", "", "", " ", "\n", "\t", "\r\n", "\f"};
  private static final String[] NAMES = {
    "id",
    "object",
    "type",
    "created",
    "livemode",
    "account",
    "api_version",
    "data",
    "related_object",
    "context",
    "request",
    "pending_webhooks",
    "\\u0069d",
    "typ\\u0065",
    "livemod\\u0065",
    "i\u0001d",
    "i\u00ffd",
    "obj\\\"ect"
  };
  private static final String[] SNIPPETS = {
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\u0000",
    "\u001f",
    "\u0080",
    "\u00c3",
    "\u00ff",
    "u",
    "0",
    "-",
    "e",
    ".",
    "\\u",
    "\\\"",
    "null",
    "true",
    ",\"id\":\"x\"",
    ",\"object\":\"v2.core.event\"",
    "[[[[",
    "}}}}",
    "\f",
    "\u00ef\u00bb\u00bf"
  };

  /** An envelope with members in a random order, some repeated, some missing, some broken. */
  private static byte[] randomEnvelope(Random random, byte[] valid) {
    String fixture = new String(valid, ISO_8859_1);
    String dataObject =
        fixture.substring(fixture.indexOf("\"data\":") + 7, fixture.lastIndexOf(",\"livemode\""));
    List<String> members = new ArrayList<>();
    members.add("\"id\":" + (random.nextInt(4) == 0 ? pick(random, STRINGS) : "\"evt_x\""));
    members.add(
        "\"object\":"
            + (random.nextInt(4) == 0
                ? pick(random, STRINGS)
                : random.nextBoolean() ? "\"event\"" : "\"v2.core.event\""));
    members.add("\"type\":" + (random.nextInt(4) == 0 ? pick(random, STRINGS) : "\"x.y\""));
    members.add(
        "\"created\":"
            + (random.nextBoolean()
                ? pick(random, NUMBERS)
                : random.nextBoolean() ? "\"2024-09-17T06:20:52Z\"" : anyValue(random)));
    members.add("\"livemode\":" + (random.nextBoolean() ? "true" : anyValue(random)));
    members.add("\"data\":" + (random.nextInt(4) == 0 ? anyValue(random) : dataObject));
    if (random.nextBoolean()) {
      members.add(
          "\"related_object\":"
              + (random.nextBoolean()
                  ? "{\"id\":" + pick(random, STRINGS) + ",\"type\":\"x\"}"
                  : anyValue(random)));
      members.add("\"context\":" + pick(random, STRINGS));
    }
    int extra = random.nextInt(4);
    for (int i = 0; i < extra; i++) {
      members.add("\"" + pick(random, NAMES) + "\":" + anyValue(random));
    }
    Collections.shuffle(members, random);
    StringBuilder body = new StringBuilder("{");
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        body.append(pick(random, WHITESPACE)).append(',');
      }
      body.append(pick(random, WHITESPACE))
          .append(members.get(i).replace(":", random.nextInt(8) == 0 ? " : " : ":"));
    }
    if (random.nextInt(10) == 0) {
      String deep = random.nextBoolean() ? "[" : "{\"a\":";
      String close = deep.equals("[") ? "]" : "}";
      int levels = 252 + random.nextInt(4);
      body.append(",\"deep\":")
          .append(deep.repeat(levels))
          .append(deep.equals("[") ? "" : "1")
          .append(close.repeat(levels));
    }
    return bytes(body.append('}').append(pick(random, WHITESPACE)).toString());
  }

  private static String anyValue(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> pick(random, STRINGS);
      case 1 -> pick(random, NUMBERS);
      default -> pick(random, LITERALS);
    };
  }

  /** Leaves the body as it is half the time, else breaks it in one of a few ways. */
  private static byte[] mutate(Random random, byte[] body) {
    String text = new String(body, ISO_8859_1);
    int at = random.nextInt(text.length() + 1);
    return bytes(
        switch (random.nextInt(8)) {
          case 0 -> text.substring(0, at) + pick(random, SNIPPETS) + text.substring(at);
          case 1 ->
              at == text.length()
                  ? text
                  : text.substring(0, at) + pick(random, SNIPPETS) + text.substring(at + 1);
          case 2 ->
              text.substring(0, at)
                  + text.substring(Math.min(text.length(), at + 1 + random.nextInt(8)));
          case 3 -> text.substring(0, at);
          default -> text;
        });
  }

  /** A valid event with one more member, as UTF-8. */
  private static byte[] event(String member) {
    return rawEvent(member).getBytes(UTF_8);
  }

  /** A valid event with one more member, in the same chars as {@code member}. */
  private static String rawEvent(String member) {
    return "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1700000000,"
        + "\"livemode\":true,\"data\":{\"object\":{\"id\":\"in_1\",\"object\":\"invoice\"}}"
        + (member.isEmpty() ? "" : "," + member)
        + "}";
  }

  private static byte[] bytes(String oneCharPerByte) {
    return oneCharPerByte.getBytes(ISO_8859_1);
  }

  private static String pick(Random random, String[] choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static String show(byte[] body) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < Math.min(body.length, 600); i++) {
      int c = body[i] & 0xFF;
      shown.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02X", c));
    }
    return body.length > 600 ? shown + "... (" + body.length + " bytes)" : shown.toString();
  }

  /** The names of the objects in the test kit's fixtures: one event type each. */
  private static Set<String> fixtureObjects() {
    try (InputStream in =
        StripeFixtures.class.getResourceAsStream("stripe-openapi-fixtures3.json")) {
      JsonObject root = new Gson().fromJson(new InputStreamReader(in, UTF_8), JsonObject.class);
      return new TreeSet<>(root.getAsJsonObject("resources").keySet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
