// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static dev.stripewebhook.Reason.MALFORMED_PAYLOAD;
import static dev.stripewebhook.Reason.MALFORMED_SIGNATURE_HEADER;
import static dev.stripewebhook.Reason.MISSING_SIGNATURE_HEADER;
import static dev.stripewebhook.Reason.NO_V1_SIGNATURE;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.GsonEnvelopeReference.Outcome;
import dev.stripewebhook.testing.SignedPayload;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Fuzz targets for the signature header parser, the verifier and the envelope reader. Under plain
 * {@code mvn test} they replay {@code SignatureFuzzTestInputs/<method>/} (seeds and every crash
 * found so far); {@code JAZZER_FUZZ=1 mvn test -Dtest=SignatureFuzzTest#<method>} fuzzes one.
 *
 * <p>The contract each checks: whatever arrives, only {@link WebhookVerificationException} escapes,
 * with a fitting {@link Reason}; no {@code RuntimeException}, no {@code Error}.
 */
class SignatureFuzzTest {
  private static final String SECRET = "whsec_fuzz_secret";
  private static final long NOW = 1_700_000_000L;
  private static final SignatureVerifier VERIFIER =
      SignatureVerifier.create(
          WebhookConfig.builder()
              .secrets(SECRET)
              .clock(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC))
              .build());

  /**
   * Any string: the parser either throws a header reason, or returns 1 to 16 signatures of 32 bytes
   * and a positive time; and it agrees, both ways, with the grammar of DESIGN.md as {@link
   * #grammarVerdict} writes it down independently.
   */
  @FuzzTest(maxDuration = "10s")
  void headerParserThrowsOnlyAHeaderReasonAndFollowsTheGrammar(FuzzedDataProvider data) {
    String header = data.consumeRemainingAsString();
    Reason expected = grammarVerdict(header);
    SignatureHeader parsed;
    try {
      parsed = SignatureHeader.parse(header);
    } catch (WebhookVerificationException e) {
      assertThat(e.reason()).as("reason for %s", header).isEqualTo(expected);
      return;
    }
    assertThat(expected).as("grammar verdict on an accepted header %s", header).isNull();
    assertThat(parsed.timestamp()).isPositive();
    assertThat(parsed.v1Signatures())
        .hasSizeBetween(1, SignatureHeader.MAX_V1)
        .allSatisfy(signature -> assertThat(signature).hasSize(32));
    List<String> v1 = new ArrayList<>();
    long t = 0;
    for (String item : header.split(",")) {
      if (item.startsWith("v1=")) {
        v1.add(item.substring(3));
      } else if (item.startsWith("t=")) {
        t = Long.parseLong(item.substring(2));
      }
    }
    assertThat(parsed.timestamp()).isEqualTo(t);
    assertThat(parsed.v1Signatures()).map(HexFormat.of()::formatHex).containsExactlyElementsOf(v1);
  }

  /**
   * Any body and any header (or none): verification throws only a {@link
   * WebhookVerificationException}; when it accepts, the header does carry the HMAC of this body.
   */
  @FuzzTest(maxDuration = "10s")
  void verifierThrowsOnlyVerificationExceptionsOnAnyInput(FuzzedDataProvider data) {
    boolean absent = data.consumeBoolean();
    String header = absent ? null : data.consumeString(SignatureHeader.MAX_LENGTH + 16);
    byte[] body = data.consumeRemainingAsBytes();
    VerifiedEvent event;
    try {
      event = VERIFIER.verify(body, header);
    } catch (WebhookVerificationException e) {
      if (header == null || header.isEmpty()) {
        assertThat(e.reason()).isEqualTo(MISSING_SIGNATURE_HEADER);
      }
      return;
    }
    assertThat(header).contains("v1=" + SignedPayload.sign(SECRET, event.signedAt(), body));
    assertThat(event.id()).isNotEmpty();
    assertThat(event.type()).isNotEmpty();
  }

  /**
   * Any body, correctly signed now: the envelope reader gets it, and answers an event or a {@code
   * MALFORMED_PAYLOAD}, never a runtime exception. What it reads agrees with Gson's own (lenient)
   * parse of the same text.
   */
  @FuzzTest(maxDuration = "10s")
  void envelopeReaderRejectsAnySignedBodyOnlyAsMalformedPayload(FuzzedDataProvider data) {
    byte[] body = data.consumeRemainingAsBytes();
    String header = SignedPayload.of(body).secret(SECRET).at(NOW).header();
    VerifiedEvent event;
    try {
      event = VERIFIER.verify(body, header);
    } catch (WebhookVerificationException e) {
      assertThat(e.reason()).isEqualTo(MALFORMED_PAYLOAD);
      return;
    }
    assertThat(event.signedAt()).isEqualTo(NOW);
    assertThat(event.body()).isEqualTo(body);
    JsonElement json = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
    JsonObject object = json.getAsJsonObject();
    assertThat(event.id()).isNotEmpty().isEqualTo(object.get("id").getAsString());
    assertThat(event.type()).isNotEmpty().isEqualTo(object.get("type").getAsString());
    assertThat(event.isThin())
        .isEqualTo("v2.core.event".equals(object.get("object").getAsString()));
  }

  /**
   * Any bytes: the byte-level envelope reader and the Gson reader it replaced ({@link
   * GsonEnvelopeReference}) give the same envelope or refuse with the same reason, and {@code
   * peekLivemode} answers the same.
   */
  @FuzzTest(maxDuration = "10s")
  void envelopeReaderAgreesWithTheGsonReader(FuzzedDataProvider data) {
    byte[] body = data.consumeRemainingAsBytes();
    assertThat(Outcome.ofEnvelopeReader(body))
        .as("body %s", HexFormat.of().formatHex(body))
        .isEqualTo(Outcome.ofReference(body));
  }

  /**
   * DESIGN.md's header grammar, written with split and regexes: null when a header is accepted,
   * else the reason it is not.
   */
  static Reason grammarVerdict(String header) {
    if (header.length() > SignatureHeader.MAX_LENGTH) {
      return MALFORMED_SIGNATURE_HEADER;
    }
    int ts = 0;
    int v1s = 0;
    for (String item : header.split(",", -1)) {
      if (!item.matches("[^=]+=.+") || !item.matches("[!-~]+")) {
        return MALFORMED_SIGNATURE_HEADER;
      }
      String key = item.substring(0, item.indexOf('='));
      String value = item.substring(item.indexOf('=') + 1);
      if (key.equals("t")) {
        ts++;
        if (!value.matches("[0-9]{1,18}") || value.matches("0+")) {
          return MALFORMED_SIGNATURE_HEADER;
        }
      } else if (key.equals("v1")) {
        v1s++;
        if (!value.matches("[0-9a-f]{64}")) {
          return MALFORMED_SIGNATURE_HEADER;
        }
      }
    }
    if (ts != 1 || v1s > SignatureHeader.MAX_V1) {
      return MALFORMED_SIGNATURE_HEADER;
    }
    return v1s == 0 ? NO_V1_SIGNATURE : null;
  }
}
