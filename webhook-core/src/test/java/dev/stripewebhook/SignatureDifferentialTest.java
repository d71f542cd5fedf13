// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static dev.stripewebhook.Reason.MALFORMED_SIGNATURE_HEADER;
import static dev.stripewebhook.Reason.SIGNATURE_MISMATCH;
import static dev.stripewebhook.Reason.TIMESTAMP_OUTSIDE_TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.stripe.net.Webhook;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our verifier against stripe-java's {@code Webhook.Signature.verifyHeader} on a few thousand
 * generated and mutated headers and bodies (seeded, so every run sees the same cases).
 *
 * <p>What it holds us to: we never accept what stripe-java rejects; where stripe-java accepts and
 * we reject, the header breaks one of the strict rules of DESIGN.md ("The signature rules we hold
 * to"), named by a {@link StrictCase} that this test reads from the header on its own, without our
 * parser; and each named rule really makes us reject a header stripe-java accepts, on its own.
 * Bodies are valid UTF-8 here: invalid UTF-8 is the one place where stripe-java (verifying a
 * decoded String) and the wire disagree, and has a test of its own.
 */
class SignatureDifferentialTest {
  private static final long SEED = 0x5EED_2026_1123L;
  private static final int CASES = 4000;
  private static final String SECRET = "whsec_differential_test_secret";
  private static final String OTHER_SECRET = "whsec_another_endpoint_secret";
  private static final String ROTATED_SECRET = "whsec_rotated_secret";
  private static final long NOW = 1_700_000_000L;
  private static final long TOLERANCE = 300;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
  private static final int MAX_LENGTH = 8192;
  private static final int MAX_V1 = 16;
  private static final String[] FIXTURE_TYPES = {
    "payment_intent.succeeded",
    "customer.subscription.updated",
    "invoice.paid",
    "checkout.session.completed",
    "charge.refunded",
    "customer.created",
    "account.updated"
  };
  private static final String HEX = "0123456789abcdef";

  /**
   * Why a header that stripe-java accepts is one we reject: the strict rules of DESIGN.md, read
   * from the header by {@link #strictCases} without our parser.
   */
  enum StrictCase {
    /** Longer than 8192 characters. */
    TOO_LONG,
    /** A whitespace or space character anywhere (stripe-java ignores an item it spoils). */
    WHITESPACE,
    /** Another character outside printable ASCII: a control character, DEL, non-ASCII. */
    NOT_PRINTABLE_ASCII,
    /** Two commas in a row, or a comma at either end. */
    EMPTY_ITEM_OR_TRAILING_COMMA,
    /** An item with no {@code =}. */
    ITEM_WITHOUT_EQUALS,
    /** An item {@code =value} or {@code key=}, such as {@code v0=}. */
    EMPTY_KEY_OR_VALUE,
    /** More than one {@code t} (stripe-java takes the first). */
    DUPLICATE_T,
    /**
     * A {@code t} that {@code Long.parseLong} reads but is not ASCII digits: a sign, or digits of
     * another script. Leading zeros are not in this case: we read them as stripe-java does.
     */
    NON_CANONICAL_T,
    /** A {@code t} of more than 18 digits (for a time stripe-java accepts: leading zeros). */
    T_OVER_18_DIGITS,
    /** A {@code t} more than the tolerance ahead of the clock (stripe-java checks the past). */
    FUTURE_TIMESTAMP,
    /** A {@code v1} that is not 64 lower-case hex characters, beside one that matches. */
    BAD_EXTRA_V1,
    /** More than 16 {@code v1} items. */
    TOO_MANY_V1;

    /** What we answer when this is the only rule a header breaks. */
    Reason reason() {
      return this == FUTURE_TIMESTAMP ? TIMESTAMP_OUTSIDE_TOLERANCE : MALFORMED_SIGNATURE_HEADER;
    }
  }

  /**
   * Where stripe-java rejects and we accept, on purpose: both come from stripe-java verifying a
   * Java String rather than the bytes on the wire.
   */
  enum StripeJavaOnlyRejects {
    /** The body is not valid UTF-8: {@code new String(bytes, UTF_8)} changes the signed bytes. */
    INVALID_UTF8_BODY,
    /**
     * The JVM's default format locale writes digits of another script (ar, fa, bn, mr...):
     * stripe-java's {@code String.format("%d.%s", t, payload)} then signs those digits, not the
     * ASCII {@code t} Stripe signed, and rejects every genuine delivery.
     */
    LOCALE_WITH_OTHER_DIGITS
  }

  private record Case(
      int index, String header, byte[] body, Reason ours, String stripe, Set<StrictCase> strict) {
    boolean oursAccepts() {
      return ours == null;
    }

    boolean stripeAccepts() {
      return stripe == null;
    }

    @Override
    public String toString() {
      return "case "
          + index
          + " (seed "
          + SEED
          + "): header=\""
          + printable(header, 400)
          + "\" body=\""
          + printable(new String(body, StandardCharsets.UTF_8), 60)
          + "\" ("
          + body.length
          + " bytes) ours="
          + (ours == null ? "accept" : ours)
          + " stripe-java="
          + (stripe == null ? "accept" : stripe)
          + " strict="
          + strict;
    }
  }

  private static Locale savedFormatLocale;
  private static List<Case> cases;

  @BeforeAll
  static void runTheGeneratedCases() {
    // stripe-java signs String.format("%d", t): its result depends on the default format locale.
    savedFormatLocale = Locale.getDefault(Locale.Category.FORMAT);
    Locale.setDefault(Locale.Category.FORMAT, Locale.ROOT);
    SignatureVerifier verifier = verifier(Duration.ofSeconds(TOLERANCE));
    Generator generator = new Generator(new Random(SEED));
    List<Case> run = new ArrayList<>(CASES);
    for (int i = 0; i < CASES; i++) {
      Draft draft = generator.next();
      String header = String.join(",", draft.items);
      byte[] body = draft.body;
      run.add(
          new Case(
              i,
              header,
              body,
              ours(verifier, body, header),
              stripeJava(body, header, TOLERANCE),
              strictCases(header)));
    }
    cases = List.copyOf(run);
  }

  @AfterAll
  static void restoreTheLocale() {
    Locale.setDefault(Locale.Category.FORMAT, savedFormatLocale);
  }

  @Test
  void oursIsNeverMoreLenientThanStripeJava() {
    assertThat(cases)
        .as("cases we accept and stripe-java rejects")
        .noneMatch(c -> c.oursAccepts() && !c.stripeAccepts());
    // Not vacuous: plenty of both outcomes, and of headers only stripe-java accepts.
    assertThat(count(c -> c.oursAccepts() && c.stripeAccepts())).isGreaterThan(CASES / 20);
    assertThat(count(c -> !c.oursAccepts() && !c.stripeAccepts())).isGreaterThan(CASES / 4);
    assertThat(count(c -> !c.oursAccepts() && c.stripeAccepts())).isGreaterThan(CASES / 10);
  }

  @Test
  void everyHeaderOnlyStripeJavaAcceptsBreaksANamedStrictRule() {
    List<Case> unexplained =
        cases.stream()
            .filter(c -> c.stripeAccepts() && !c.oursAccepts() && c.strict().isEmpty())
            .toList();
    assertThat(unexplained).as("rejected by us only, for no rule of DESIGN.md").isEmpty();
    List<Case> wrongReason =
        cases.stream()
            .filter(c -> c.stripeAccepts() && c.strict().size() == 1)
            .filter(c -> c.ours() != c.strict().iterator().next().reason())
            .toList();
    assertThat(wrongReason)
        .as("rejected by us for a reason other than the one rule broken")
        .isEmpty();
  }

  @Test
  void everyNamedStrictRuleIsEnforcedAndOccursOnItsOwn() {
    // Exact in the other direction too: a named rule broken where stripe-java accepts is always
    // a rejection of ours.
    assertThat(cases)
        .as("headers breaking a named rule that we still accept")
        .noneMatch(c -> c.stripeAccepts() && c.oursAccepts() && !c.strict().isEmpty());
    Map<StrictCase, Integer> alone = new EnumMap<>(StrictCase.class);
    for (Case c : cases) {
      if (c.stripeAccepts() && !c.oursAccepts() && c.strict().size() == 1) {
        alone.merge(c.strict().iterator().next(), 1, Integer::sum);
      }
    }
    assertThat(alone.keySet())
        .as("named rules that alone made us reject what stripe-java accepts")
        .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(StrictCase.class));
  }

  @Test
  void leadingZerosInTAreReadLikeStripeJavaUpToEighteenDigits() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    String v1 = SignedPayload.sign(SECRET, NOW, body);
    SignatureVerifier verifier = verifier(Duration.ofSeconds(TOLERANCE));
    // Both sign Long.toString(t) and String.format("%d", t): the zeros are not signed.
    String eighteen = "t=" + "0".repeat(8) + NOW + ",v1=" + v1;
    assertThat(verifier.verifySignature(body, eighteen)).isEqualTo(NOW);
    assertThat(stripeJava(body, eighteen, TOLERANCE)).isNull();
    String nineteen = "t=" + "0".repeat(9) + NOW + ",v1=" + v1;
    assertThat(ours(verifier, body, nineteen)).isEqualTo(MALFORMED_SIGNATURE_HEADER);
    assertThat(stripeJava(body, nineteen, TOLERANCE)).isNull();
    assertThat(strictCases(nineteen)).containsExactly(StrictCase.T_OVER_18_DIGITS);
    // The generated run has such headers, accepted by both.
    assertThat(cases).anyMatch(c -> c.oursAccepts() && c.header().matches("(.*,)?t=0[0-9]*(,.*)?"));
  }

  @Test
  void invalidUtf8BodiesVerifyOnTheRawBytesWhereStripeJavaDisagrees() throws Exception {
    SignatureVerifier verifier = verifier(Duration.ofSeconds(TOLERANCE));
    byte[][] broken = {
      {(byte) 0xff},
      {(byte) 0x80},
      {(byte) 0xc0, (byte) 0x80},
      {(byte) 0xe2, (byte) 0x82},
      {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
      {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0xc3}
    };
    Random random = new Random(SEED);
    for (int i = 0; i < 200; i++) {
      byte[] valid =
          i % 2 == 0
              ? StripeFixtures.event(FIXTURE_TYPES[i % FIXTURE_TYPES.length])
              : randomText(random).getBytes(StandardCharsets.UTF_8);
      byte[] bad = broken[random.nextInt(broken.length)];
      int at = random.nextInt(valid.length + 1);
      ByteBuffer body =
          ByteBuffer.allocate(valid.length + bad.length)
              .put(valid, 0, at)
              .put(bad)
              .put(valid, at, valid.length - at);
      byte[] bytes = body.array();
      assertThat(stripeJavaOnlyRejects(bytes)).contains(StripeJavaOnlyRejects.INVALID_UTF8_BODY);
      String decoded = new String(bytes, StandardCharsets.UTF_8);

      // What Stripe sends: the HMAC of the bytes. We verify it; stripe-java, given the body as a
      // String, verifies other bytes and rejects.
      String wire = SignedPayload.of(bytes).secret(SECRET).at(NOW).header();
      assertThat(verifier.verifySignature(bytes, wire)).isEqualTo(NOW);
      assertThat(stripeJava(bytes, wire, TOLERANCE))
          .as("stripe-java on %s", wire)
          .isEqualTo("SignatureVerificationException");
      // The other way round: a signature over the decoded String is not one over these bytes.
      String overString = Webhook.Signature.generateSignatureHeader(decoded, SECRET, NOW);
      assertThat(ours(verifier, bytes, overString)).isEqualTo(SIGNATURE_MISMATCH);
      assertThat(stripeJava(bytes, overString, TOLERANCE)).isNull();
    }
    // And the generated run, where both agree, had valid UTF-8 bodies only.
    assertThat(cases).allMatch(c -> stripeJavaOnlyRejects(c.body()).isEmpty());
  }

  @Test
  void oursDoesNotDependOnTheDefaultLocaleUnlikeStripeJava() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    String header = SignedPayload.of(body).secret(SECRET).at(NOW).header();
    SignatureVerifier verifier = verifier(Duration.ofSeconds(TOLERANCE));
    Locale arabic = Locale.forLanguageTag("ar-EG");
    Locale.setDefault(Locale.Category.FORMAT, arabic);
    try {
      assertThat(stripeJavaOnlyRejects(body))
          .containsExactly(StripeJavaOnlyRejects.LOCALE_WITH_OTHER_DIGITS);
      assertThat(verifier.verifySignature(body, header)).isEqualTo(NOW);
      assertThat(stripeJava(body, header, TOLERANCE)).isEqualTo("SignatureVerificationException");
    } finally {
      Locale.setDefault(Locale.Category.FORMAT, Locale.ROOT);
    }
    assertThat(stripeJava(body, header, TOLERANCE)).isNull();
  }

  @Test
  void toleranceZeroStillChecksTheTimeWhereStripeJavaChecksNothing() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    SignatureVerifier exact = verifier(Duration.ZERO);
    for (long offset : new long[] {-86_400, -1, 1, 86_400}) {
      String header = SignedPayload.of(body).secret(SECRET).at(NOW + offset).header();
      assertThat(ours(exact, body, header))
          .as("offset %d", offset)
          .isEqualTo(TIMESTAMP_OUTSIDE_TOLERANCE);
      assertThat(stripeJava(body, header, 0)).as("offset %d", offset).isNull();
    }
    String now = SignedPayload.of(body).secret(SECRET).at(NOW).header();
    assertThat(exact.verifySignature(body, now)).isEqualTo(NOW);
  }

  // ---------------------------------------------------------------------------------------------
  // The two verifiers, and the independent reading of the strict rules.

  private static SignatureVerifier verifier(Duration tolerance) {
    return SignatureVerifier.create(
        WebhookConfig.builder().secrets(SECRET).clock(CLOCK).tolerance(tolerance).build());
  }

  /** Our answer: null when accepted, else the reason. Anything else thrown fails the test. */
  private static Reason ours(SignatureVerifier verifier, byte[] body, String header) {
    try {
      long signedAt = verifier.verifySignature(body, header);
      assertThat(signedAt).isPositive();
      return null;
    } catch (WebhookVerificationException e) {
      return e.reason();
    } catch (RuntimeException e) {
      throw new AssertionError(
          "our verifier threw " + e + " on \"" + printable(header, 400) + "\"", e);
    }
  }

  /** stripe-java's answer: null when accepted, else the simple name of what it threw. */
  private static String stripeJava(byte[] body, String header, long tolerance) {
    try {
      Webhook.Signature.verifyHeader(
          new String(body, StandardCharsets.UTF_8), header, SECRET, tolerance, CLOCK);
      return null;
    } catch (Exception e) { // NPE, AIOOBE, NumberFormatException on malformed headers: reject
      return e.getClass().getSimpleName();
    }
  }

  /** The strict rules a header breaks, read with String.split and regexes, not our parser. */
  static Set<StrictCase> strictCases(String header) {
    Set<StrictCase> found = EnumSet.noneOf(StrictCase.class);
    if (header.length() > MAX_LENGTH) {
      found.add(StrictCase.TOO_LONG);
    }
    if (header.codePoints().anyMatch(SignatureDifferentialTest::isSpace)) {
      found.add(StrictCase.WHITESPACE);
    }
    if (header.codePoints().anyMatch(c -> !isSpace(c) && (c < '!' || c > '~'))) {
      found.add(StrictCase.NOT_PRINTABLE_ASCII);
    }
    String firstT = null;
    int ts = 0;
    int v1s = 0;
    for (String item : header.split(",", -1)) {
      int eq = item.indexOf('=');
      if (item.isEmpty()) {
        found.add(StrictCase.EMPTY_ITEM_OR_TRAILING_COMMA);
      } else if (eq < 0) {
        found.add(StrictCase.ITEM_WITHOUT_EQUALS);
      } else {
        String key = item.substring(0, eq);
        String value = item.substring(eq + 1);
        if (key.isEmpty() || value.isEmpty()) {
          found.add(StrictCase.EMPTY_KEY_OR_VALUE);
        }
        if (key.equals("t")) {
          ts++;
          firstT = firstT == null ? value : firstT;
        } else if (key.equals("v1")) {
          v1s++;
          if (!value.matches("[0-9a-f]{64}")) {
            found.add(StrictCase.BAD_EXTRA_V1);
          }
        }
      }
    }
    if (ts > 1) {
      found.add(StrictCase.DUPLICATE_T);
    }
    if (v1s > MAX_V1) {
      found.add(StrictCase.TOO_MANY_V1);
    }
    if (firstT != null) {
      if (!firstT.matches("[0-9]*")) {
        found.add(StrictCase.NON_CANONICAL_T);
      } else if (firstT.length() > 18) {
        found.add(StrictCase.T_OVER_18_DIGITS);
      }
      try {
        if (Long.parseLong(firstT) > NOW + TOLERANCE) {
          found.add(StrictCase.FUTURE_TIMESTAMP);
        }
      } catch (NumberFormatException e) {
        // not a time stripe-java accepts either
      }
    }
    return found;
  }

  private static boolean isSpace(int c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  /** Why stripe-java, and only stripe-java, would reject this body now. */
  static Set<StripeJavaOnlyRejects> stripeJavaOnlyRejects(byte[] body) {
    Set<StripeJavaOnlyRejects> found = EnumSet.noneOf(StripeJavaOnlyRejects.class);
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      found.add(StripeJavaOnlyRejects.INVALID_UTF8_BODY);
    }
    if (!String.format("%d", 1234567890L).equals("1234567890")) {
      found.add(StripeJavaOnlyRejects.LOCALE_WITH_OTHER_DIGITS);
    }
    return found;
  }

  private static long count(Predicate<Case> predicate) {
    return cases.stream().filter(predicate).count();
  }

  private static String printable(String s, int max) {
    StringBuilder out = new StringBuilder();
    s.codePoints()
        .limit(max)
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
              } else if (c >= ' ' && c <= '~') {
                out.append((char) c);
              } else {
                for (char unit : Character.toChars(c)) {
                  out.append(String.format(Locale.ROOT, "\\u%04x", (int) unit));
                }
              }
            });
    return s.length() > max ? out + "...(" + s.length() + " chars)" : out.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Generating the cases.

  /** A header as its items (String.join(",") gives it; split(",", -1) gives them back). */
  private static final class Draft {
    final long t;
    List<String> items = new ArrayList<>();
    byte[] body;

    Draft(long t, byte[] body) {
      this.t = t;
      this.body = body;
    }

    String header() {
      return String.join(",", items);
    }

    void setHeader(String header) {
      items = new ArrayList<>(List.of(header.split(",", -1)));
    }

    List<Integer> indexesOf(String prefix) {
      List<Integer> found = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).startsWith(prefix)) {
          found.add(i);
        }
      }
      return found;
    }
  }

  private enum Mutation {
    FLIP_HEX,
    UPPER_CASE_HEX,
    EXTRA_T,
    WHITESPACE_ANYWHERE,
    WHITESPACE_IN_IGNORED_ITEM,
    ODD_CHARACTER_ANYWHERE,
    ODD_CHARACTER_IN_IGNORED_ITEM,
    EMPTY_ITEM,
    TRAILING_COMMA,
    LEADING_COMMA,
    ITEM_WITHOUT_EQUALS,
    EMPTY_KEY_OR_VALUE,
    V0_ONLY,
    UNKNOWN_KEY,
    BAD_EXTRA_V1,
    DUPLICATE_V1,
    MANY_V1,
    PAD_TO_THE_LIMIT,
    T_LEADING_ZEROS,
    T_PLUS_SIGN,
    T_NOT_POSITIVE,
    T_OTHER_SCRIPT_DIGITS,
    T_GARBAGE,
    SHUFFLE,
    CHANGE_BODY_BYTE,
    DROP_T,
    DROP_V1,
    RANDOM_HEADER
  }

  private static final class Generator {
    private final Random random;
    private final List<byte[]> fixtures = new ArrayList<>();

    Generator(Random random) {
      this.random = random;
      for (String type : FIXTURE_TYPES) {
        JsonObject event = StripeFixtures.eventJson(type);
        event.addProperty("id", "evt_test_" + hex(24));
        event.addProperty("created", NOW);
        fixtures.add(StripeFixtures.toBytes(event));
      }
      JsonObject unicode = StripeFixtures.eventJson("customer.updated");
      unicode.addProperty("id", "evt_test_" + hex(24));
      unicode
          .getAsJsonObject("data")
          .getAsJsonObject("object")
          .addProperty("description", "Café ☕ 𝄞 Grüße 東京 %s %d \\ \"");
      fixtures.add(StripeFixtures.toBytes(unicode));
    }

    Draft next() {
      boolean focused = random.nextBoolean();
      int timeKind =
          focused
              ? (random.nextInt(8) == 0 ? 1 + random.nextInt(2) : 0)
              : random.nextInt(5) < 3 ? 0 : 1 + random.nextInt(2);
      long t =
          switch (timeKind) {
            case 0 ->
                NOW + pickLong(-TOLERANCE, TOLERANCE, random.nextLong(-TOLERANCE, TOLERANCE + 1));
            case 1 -> NOW - TOLERANCE - 1 - pickLong(0L, random.nextLong(1, 100_000_000L));
            default ->
                pickLong(
                    NOW + TOLERANCE + 1,
                    NOW + TOLERANCE + 1 + random.nextInt(1_000_000),
                    999_999_999_999_999_999L,
                    1L << 40);
          };
      Draft draft = new Draft(t, body());
      List<String> secrets =
          focused && timeKind != 0 || focused && random.nextInt(4) > 0
              ? List.of(SECRET)
              : signingSecrets();
      draft.items.add("t=" + t);
      for (String secret : secrets) {
        draft.items.add("v1=" + SignedPayload.sign(secret, t, draft.body));
      }
      Mutation[] all = Mutation.values();
      int mutations = focused ? (timeKind == 0 ? 1 : 0) : random.nextInt(4);
      for (int i = 0; i < mutations; i++) {
        mutate(all[random.nextInt(all.length)], draft);
      }
      return draft;
    }

    private List<String> signingSecrets() {
      return switch (random.nextInt(7)) {
        case 0 -> List.of(OTHER_SECRET);
        case 1 -> List.of(OTHER_SECRET, SECRET);
        case 2 -> List.of(SECRET, ROTATED_SECRET);
        case 3 -> List.of(ROTATED_SECRET, OTHER_SECRET);
        case 4 -> List.of();
        default -> List.of(SECRET);
      };
    }

    private byte[] body() {
      return switch (random.nextInt(4)) {
        case 0, 1 -> fixtures.get(random.nextInt(fixtures.size())).clone();
        case 2 ->
            ("{\"id\":\"evt_"
                    + hex(14)
                    + "\",\"object\":\"event\",\"type\":\""
                    + pick("invoice.paid", "charge.failed", "")
                    + "\",\"data\":{\"object\":{\"note\":\""
                    + randomText(random)
                    + "\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        default -> randomText(random).getBytes(StandardCharsets.UTF_8);
      };
    }

    private void mutate(Mutation mutation, Draft d) {
      String t = Long.toString(d.t);
      String goodV1 = SignedPayload.sign(SECRET, d.t, d.body);
      switch (mutation) {
        case FLIP_HEX ->
            replaceValueOfOne(
                d,
                "v1=",
                v -> {
                  if (v.isEmpty()) {
                    return v;
                  }
                  int at = random.nextInt(v.length());
                  int digit = HEX.indexOf(v.charAt(at));
                  char other = HEX.charAt((Math.max(digit, 0) + 1 + random.nextInt(15)) % 16);
                  return v.substring(0, at) + other + v.substring(at + 1);
                });
        case UPPER_CASE_HEX -> replaceValueOfOne(d, "v1=", v -> v.toUpperCase(Locale.ROOT));
        case EXTRA_T ->
            insert(
                d,
                "t="
                    + pick(
                        t,
                        t,
                        Long.toString(d.t + 1),
                        Long.toString(NOW - 1000),
                        Long.toString(NOW + 100),
                        "abc"));
        case WHITESPACE_ANYWHERE ->
            insertCharacter(
                d, pick(" ", "\t", "\n", "\r\n", "\u000b", "\f", "\u00a0", "\u2003", "\u3000"));
        case WHITESPACE_IN_IGNORED_ITEM ->
            insert(d, pick("v0=a b", "x=1 ", "x=\t1", "v0=" + hex(64) + " ", "ab =1", "x= y"));
        case ODD_CHARACTER_ANYWHERE ->
            insertCharacter(
                d,
                pick(
                    "\u0000",
                    "\u0001",
                    "\u007f",
                    "\u0085",
                    "é",
                    "☃",
                    "\ud83d\ude00",
                    "\u200b",
                    "\ufeff"));
        case ODD_CHARACTER_IN_IGNORED_ITEM ->
            insert(
                d,
                pick(
                    "x=é",
                    "v0=ü",
                    "x=☃",
                    "x=\ud83d\ude00",
                    "é=1",
                    "x=\u0001",
                    "v0=a\u0000b",
                    "x=\u007f",
                    "x=\u001b[0m"));
        case EMPTY_ITEM ->
            d.items.add(
                Math.min(d.items.size(), 1 + random.nextInt(Math.max(1, d.items.size()))), "");
        case TRAILING_COMMA -> d.items.add("");
        case LEADING_COMMA -> d.items.add(0, "");
        case ITEM_WITHOUT_EQUALS ->
            insert(d, pick("foo", "v0", "v0abc", "t", "v1", "x", "t" + t, "v1" + goodV1, "T"));
        case EMPTY_KEY_OR_VALUE -> insert(d, pick("=abc", "v0=", "x=", "=", "=" + goodV1, "=" + t));
        case V0_ONLY ->
            d.items.replaceAll(item -> item.startsWith("v1=") ? "v0=" + item.substring(3) : item);
        case UNKNOWN_KEY ->
            insert(
                d,
                pick(
                    "v0=" + hex(64),
                    "v2=" + hex(64),
                    "x=1",
                    "T=" + t,
                    "V1=" + goodV1,
                    "scheme=a=b",
                    "t1=5",
                    "v=1",
                    "tt=" + t,
                    "v1x=" + hex(64),
                    "v0=" + goodV1));
        case BAD_EXTRA_V1 ->
            insert(
                d,
                "v1="
                    + pick(
                        hex(63),
                        hex(65),
                        goodV1.toUpperCase(Locale.ROOT),
                        "zz" + hex(62),
                        "",
                        "abc",
                        goodV1 + "=",
                        goodV1 + "0",
                        "g".repeat(64),
                        "A" + hex(63),
                        hex(32),
                        "=" + hex(63)));
        case DUPLICATE_V1 -> {
          List<Integer> v1 = d.indexesOf("v1=");
          if (!v1.isEmpty()) {
            insert(d, d.items.get(v1.get(random.nextInt(v1.size()))));
          }
        }
        case MANY_V1 -> {
          int add = Math.max(1, MAX_V1 + 1 - d.indexesOf("v1=").size() + random.nextInt(5) - 2);
          for (int i = 0; i < add; i++) {
            insert(d, "v1=" + hex(64));
          }
        }
        case PAD_TO_THE_LIMIT -> {
          int padding = MAX_LENGTH + random.nextInt(5) - 2 - d.header().length() - 3;
          if (padding > 0) {
            insert(d, pick("x=", "v0=") + "a".repeat(padding));
          }
        }
        case T_LEADING_ZEROS ->
            replaceValueOfOne(d, "t=", v -> "0".repeat(1 + random.nextInt(12)) + v);
        case T_PLUS_SIGN -> replaceValueOfOne(d, "t=", v -> "+" + v);
        case T_NOT_POSITIVE ->
            replaceValueOfOne(d, "t=", v -> pick("-" + v, "0", "-0", "00", "000000", "+0"));
        case T_OTHER_SCRIPT_DIGITS -> {
          char zero = pickChar('\u0660', '\u06f0', '\u0966', '\uff10', '\u0e50');
          replaceValueOfOne(
              d,
              "t=",
              v -> {
                StringBuilder digits = new StringBuilder();
                for (char c : v.toCharArray()) {
                  digits.append(
                      c >= '0' && c <= '9' && random.nextBoolean() ? (char) (zero + c - '0') : c);
                }
                return digits.toString();
              });
        }
        case T_GARBAGE ->
            replaceValueOfOne(
                d,
                "t=",
                v ->
                    pick(
                        "abc",
                        "1e9",
                        "0x6553f100",
                        " " + v,
                        v + " ",
                        "99999999999999999999",
                        "9223372036854775807",
                        "9223372036854775808",
                        "",
                        v + ".5",
                        "1_700_000_000",
                        v + "a",
                        "--" + v));
        case SHUFFLE -> Collections.shuffle(d.items, random);
        case CHANGE_BODY_BYTE -> {
          byte[] body = d.body.clone();
          List<Integer> ascii = new ArrayList<>();
          for (int i = 0; i < body.length; i++) {
            if (body[i] >= 0) {
              ascii.add(i);
            }
          }
          if (ascii.isEmpty()) {
            body = ByteBuffer.allocate(body.length + 1).put(body).put((byte) 'x').array();
          } else {
            int at = ascii.get(random.nextInt(ascii.size()));
            body[at] = (byte) (' ' + (body[at] - ' ' + 1 + random.nextInt(93) + 95) % 95);
          }
          d.body = body;
        }
        case DROP_T -> d.items.removeIf(item -> item.startsWith("t="));
        case DROP_V1 -> d.items.removeIf(item -> item.startsWith("v1="));
        case RANDOM_HEADER -> {
          StringBuilder header = new StringBuilder();
          String alphabet = "tv01=,abcdef9 +-x";
          for (int i = random.nextInt(30); i > 0; i--) {
            header.append(alphabet.charAt(random.nextInt(alphabet.length())));
          }
          d.setHeader(header.toString());
        }
        default -> throw new AssertionError(mutation);
      }
    }

    private void insert(Draft d, String item) {
      d.items.add(random.nextInt(d.items.size() + 1), item);
    }

    private void insertCharacter(Draft d, String chars) {
      String header = d.header();
      int at = random.nextInt(header.length() + 1);
      d.setHeader(header.substring(0, at) + chars + header.substring(at));
    }

    private void replaceValueOfOne(
        Draft d, String prefix, java.util.function.UnaryOperator<String> change) {
      List<Integer> found = d.indexesOf(prefix);
      if (!found.isEmpty()) {
        int i = found.get(random.nextInt(found.size()));
        d.items.set(i, prefix + change.apply(d.items.get(i).substring(prefix.length())));
      }
    }

    private String hex(int length) {
      StringBuilder out = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        out.append(HEX.charAt(random.nextInt(16)));
      }
      return out.toString();
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
      return choices[random.nextInt(choices.length)];
    }

    private long pickLong(long... choices) {
      return choices[random.nextInt(choices.length)];
    }

    private char pickChar(char... choices) {
      return choices[random.nextInt(choices.length)];
    }
  }

  /** Valid UTF-8 text of ASCII, controls, Latin, CJK, astral characters and format strings. */
  private static String randomText(Random random) {
    String[] pieces = {
      "a",
      "Z",
      "7",
      " ",
      "\"",
      "\\",
      "{",
      "}",
      ",",
      "=",
      "%",
      "%s",
      "%d",
      "\n",
      "\t",
      "\u0000",
      "é",
      "ß",
      "Ω",
      "東",
      "\u00a0",
      "\ufeff",
      "\ufffd",
      "\ud83d\ude00",
      "\ud834\udd1e",
      "\u200d",
      "evt_",
      "\"id\":"
    };
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(120); i > 0; i--) {
      text.append(
          random.nextInt(3) == 0
              ? pieces[random.nextInt(pieces.length)]
              : String.valueOf((char) (' ' + random.nextInt(95))));
    }
    return text.toString();
  }
}
