// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static dev.stripewebhook.Reason.MALFORMED_PAYLOAD;
import static dev.stripewebhook.Reason.MALFORMED_SIGNATURE_HEADER;
import static dev.stripewebhook.Reason.MISSING_SIGNATURE_HEADER;
import static dev.stripewebhook.Reason.NO_V1_SIGNATURE;
import static dev.stripewebhook.Reason.SIGNATURE_MISMATCH;
import static dev.stripewebhook.Reason.TIMESTAMP_OUTSIDE_TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.model.Account;
import com.stripe.net.Webhook;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {
  static final String SECRET = "whsec_test_secret";
  static final long NOW = 1_700_000_000L;
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

  // DESIGN.md's known-answer vector (openssl dgst -sha256 -hmac whsec_test_secret).
  static final byte[] KNOWN_BODY =
      "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}"
          .getBytes(StandardCharsets.UTF_8);
  static final String KNOWN_V1 = "4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150";

  final byte[] body = StripeFixtures.event("payment_intent.succeeded");

  static SignatureVerifier verifier(String... secrets) {
    return SignatureVerifier.create(WebhookConfig.builder().secrets(secrets).clock(CLOCK).build());
  }

  static Reason reasonOf(SignatureVerifier verifier, byte[] body, String header) {
    try {
      verifier.verify(body, header);
      return null;
    } catch (WebhookVerificationException e) {
      return e.reason();
    }
  }

  @Test
  void matchesTheKnownAnswerVector() throws Exception {
    assertThat(KNOWN_BODY).hasSize(51);
    assertThat(SignedPayload.sign(SECRET, NOW, KNOWN_BODY)).isEqualTo(KNOWN_V1);
    long signedAt = verifier(SECRET).verifySignature(KNOWN_BODY, "t=1700000000,v1=" + KNOWN_V1);
    assertThat(signedAt).isEqualTo(NOW);
  }

  @Test
  void acceptsWhatStripeJavaSigns() throws Exception {
    String header =
        Webhook.Signature.generateSignatureHeader(
            new String(body, StandardCharsets.UTF_8), SECRET, NOW);
    VerifiedEvent event = verifier(SECRET).verify(body, header);
    assertThat(event.type()).isEqualTo("payment_intent.succeeded");
    assertThat(event.event().getType()).isEqualTo("payment_intent.succeeded");
  }

  @Test
  void readsTheEnvelopeOfARealConnectEvent() throws Exception {
    byte[] fixture = fixture("fixtures/pay-account.updated.event.json");
    String header = SignedPayload.of(fixture).secret(SECRET).at(NOW).header();
    VerifiedEvent event = verifier(SECRET).verify(fixture, header);
    assertThat(event.id()).startsWith("evt_");
    assertThat(event.type()).isEqualTo("account.updated");
    assertThat(event.account()).contains("acct_00000000000000");
    assertThat(event.apiVersion()).contains("2020-08-27");
    assertThat(event.livemode()).isPresent();
    assertThat(event.dataObjectId()).isPresent();
    assertThat(event.isThin()).isFalse();
    // Another API release train: getObject() is empty, dataObject() still gives the Account.
    assertThat(event.event().getDataObjectDeserializer().getObject()).isEmpty();
    assertThat(event.dataObject()).isInstanceOf(Account.class);
    assertThat(event.dataObject(Account.class).getId()).isEqualTo(event.dataObjectId().get());
  }

  @Test
  void acceptsAnyMatchingV1DuringRotation() throws Exception {
    String header = SignedPayload.of(body).secret("whsec_old", "whsec_new").at(NOW).header();
    assertThat(reasonOf(verifier("whsec_new"), body, header)).isNull();
    assertThat(reasonOf(verifier("whsec_old"), body, header)).isNull();
    String newOnly = SignedPayload.of(body).secret("whsec_new").at(NOW).header();
    assertThat(reasonOf(verifier("whsec_old", "whsec_new"), body, newOnly)).isNull();
    assertThat(reasonOf(verifier("whsec_other"), body, header)).isEqualTo(SIGNATURE_MISMATCH);
  }

  @Test
  void rejectsBodyChangedAfterSigning() {
    String header = SignedPayload.of(body).secret(SECRET).at(NOW).header();
    byte[] reformatted =
        new String(body, StandardCharsets.UTF_8)
            .replace(",", ", ")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(reasonOf(verifier(SECRET), reformatted, header)).isEqualTo(SIGNATURE_MISMATCH);
  }

  @Test
  void rejectsTimestampOlderThanTolerance() {
    String header = SignedPayload.of(body).secret(SECRET).at(NOW - 301).header();
    assertThat(reasonOf(verifier(SECRET), body, header)).isEqualTo(TIMESTAMP_OUTSIDE_TOLERANCE);
    String edge = SignedPayload.of(body).secret(SECRET).at(NOW - 300).header();
    assertThat(reasonOf(verifier(SECRET), body, edge)).isNull();
  }

  @Test
  void rejectsTimestampAheadOfTolerance() {
    String header = SignedPayload.of(body).secret(SECRET).at(NOW + 301).header();
    assertThat(reasonOf(verifier(SECRET), body, header)).isEqualTo(TIMESTAMP_OUTSIDE_TOLERANCE);
    String edge = SignedPayload.of(body).secret(SECRET).at(NOW + 300).header();
    assertThat(reasonOf(verifier(SECRET), body, edge)).isNull();
  }

  @Test
  void toleranceZeroStillChecksTheTimestamp() {
    SignatureVerifier strict =
        SignatureVerifier.create(
            WebhookConfig.builder().secrets(SECRET).tolerance(Duration.ZERO).clock(CLOCK).build());
    assertThat(reasonOf(strict, body, SignedPayload.of(body).secret(SECRET).at(NOW).header()))
        .isNull();
    assertThat(reasonOf(strict, body, SignedPayload.of(body).secret(SECRET).at(NOW - 1).header()))
        .isEqualTo(TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Test
  void clockSkewMessageGivesTheMeasuredOffset() {
    String header = SignedPayload.of(body).secret(SECRET).at(NOW - 412).header();
    assertThatThrownBy(() -> verifier(SECRET).verify(body, header))
        .hasMessageContaining("412 s older than");
  }

  @Test
  void rejectsMissingHeader() {
    assertThat(reasonOf(verifier(SECRET), body, null)).isEqualTo(MISSING_SIGNATURE_HEADER);
    assertThat(reasonOf(verifier(SECRET), body, "")).isEqualTo(MISSING_SIGNATURE_HEADER);
  }

  @Test
  void rejectsHeaderWithOnlyV0Signature() {
    String v0 = SignedPayload.of(body).at(NOW).withSignature("v0", "a".repeat(64)).header();
    assertThat(reasonOf(verifier(SECRET), body, v0)).isEqualTo(NO_V1_SIGNATURE);
  }

  @Test
  void namesTheOtherSchemesWhenThereIsNoV1() {
    String header = "t=" + NOW + ",v0=" + "a".repeat(64) + ",v1x=1,schemeOfNineChars=2,v0=b";
    assertThatThrownBy(() -> verifier(SECRET).verify(body, header))
        .isInstanceOf(WebhookVerificationException.class)
        .hasMessageContaining("(keys present: t, schemeOf..., v0, v1x)");
  }

  @Test
  void ignoresV0AndUnknownKeysBesideAMatchingV1() {
    String header =
        SignedPayload.of(body)
            .secret(SECRET)
            .at(NOW)
            .withItem("v0=" + "b".repeat(64))
            .withItem("foo=bar")
            .header();
    assertThat(reasonOf(verifier(SECRET), body, header)).isNull();
  }

  @Test
  void rejectsMalformedHeaders() {
    String v1 = SignedPayload.sign(SECRET, NOW, body);
    for (String header :
        new String[] {
          "t=" + NOW + ",v1=" + v1 + ",", // trailing comma
          "t=" + NOW + ",,v1=" + v1, // empty item
          "t=" + NOW + ", v1=" + v1, // whitespace
          "t=" + NOW + ",t=" + NOW + ",v1=" + v1, // duplicate t
          "t=0,v1=" + v1, // t = 0
          "t=+" + NOW + ",v1=" + v1, // sign
          "t=" + NOW + ",v1=" + v1.toUpperCase(), // upper-case hex
          "t=" + NOW + ",v1=" + v1.substring(1), // 63 hex
          "t=" + NOW + ",v1=" + v1 + ",v1=zz", // a bad v1 next to a good one
          "v1=" + v1, // no t
          "t", // no =
          "t=" + NOW + ",v1",
          "t=" + "9".repeat(19) + ",v1=" + v1, // overflow
          "t=" + NOW + ",v1=" + v1 + ",x=" + "y".repeat(9000), // over 8 KiB
        }) {
      assertThat(reasonOf(verifier(SECRET), body, header))
          .as(header)
          .isEqualTo(MALFORMED_SIGNATURE_HEADER);
    }
  }

  @Test
  void rejectsMoreThanSixteenV1Signatures() {
    SignedPayload payload = SignedPayload.of(body).secret(SECRET).at(NOW);
    for (int i = 0; i < 16; i++) {
      payload = payload.withItem("v1=" + "0".repeat(64));
    }
    assertThat(reasonOf(verifier(SECRET), body, payload.header()))
        .isEqualTo(MALFORMED_SIGNATURE_HEADER);
  }

  @Test
  void checksHeaderSyntaxBeforeTimeAndTimeBeforeSignature() {
    String staleAndWrong = SignedPayload.of(body).secret("whsec_wrong").at(NOW - 1000).header();
    assertThat(reasonOf(verifier(SECRET), body, staleAndWrong))
        .isEqualTo(TIMESTAMP_OUTSIDE_TOLERANCE);
    String malformedAndStale =
        SignedPayload.of(body).secret(SECRET).at(NOW - 1000).withItem("").header();
    assertThat(reasonOf(verifier(SECRET), body, malformedAndStale))
        .isEqualTo(MALFORMED_SIGNATURE_HEADER);
  }

  @Test
  void rejectsVerifiedBodyThatIsNotAnEvent() {
    for (String text :
        new String[] {
          "not json",
          "[]",
          "{\"id\":\"x\"}",
          "{\"id\":\"evt_1\",\"object\":\"charge\",\"type\":\"x\"}",
          "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"x\"} trailing",
          ""
        }) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      String header = SignedPayload.of(bytes).secret(SECRET).at(NOW).header();
      assertThat(reasonOf(verifier(SECRET), bytes, header)).as(text).isEqualTo(MALFORMED_PAYLOAD);
    }
  }

  @Test
  void signsTheRawBytesNotADecodedString() throws Exception {
    // Invalid UTF-8 (a lone 0xff) inside a string: a String round trip would change these bytes.
    byte[] raw =
        "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"x\",\"note\":\"?\"}"
            .getBytes(StandardCharsets.ISO_8859_1);
    raw[raw.length - 3] = (byte) 0xff;
    String header = SignedPayload.of(raw).secret(SECRET).at(NOW).header();
    assertThat(verifier(SECRET).verifySignature(raw, header)).isEqualTo(NOW);
    byte[] roundTripped = new String(raw, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    assertThat(reasonOf(verifier(SECRET), roundTripped, header)).isEqualTo(SIGNATURE_MISMATCH);
  }

  @Test
  void messagesNeverContainSecretOrExpectedSignature() {
    String secret = "whsec_very_secret_value";
    String expected = SignedPayload.sign(secret, NOW, body);
    String[] headers = {
      SignedPayload.of(body).secret("whsec_other").at(NOW).header(),
      SignedPayload.of(body).secret(secret).at(NOW - 1000).header(),
      SignedPayload.of(body).secret(secret).at(NOW).withItem("oops").header(),
      "garbage"
    };
    for (String header : headers) {
      assertThatThrownBy(() -> verifier(secret).verify(body, header))
          .isInstanceOf(WebhookVerificationException.class)
          .message()
          .doesNotContain(secret)
          .doesNotContain(expected)
          .doesNotContain("very_secret");
    }
  }

  @Test
  void mismatchMessageNamesTheLikelyCauses() {
    String header = SignedPayload.of(body).secret("whsec_other").at(NOW).header();
    assertThatThrownBy(() -> verifier(SECRET).verify(body, header))
        .hasMessageContaining("stripe listen")
        .hasMessageContaining("test-mode event")
        .hasMessageContaining("changed the body");
  }

  @Test
  void readsAThinEventNotification() throws Exception {
    byte[] thin =
        ("{\"id\":\"evt_test_65R\",\"object\":\"v2.core.event\","
                + "\"type\":\"v1.billing.meter.error_report_triggered\","
                + "\"created\":\"2024-09-17T06:20:52.246Z\",\"livemode\":false,\"context\":\"acct_123\","
                + "\"related_object\":{\"id\":\"mtr_123\",\"type\":\"billing.meter\","
                + "\"url\":\"/v1/billing/meters/mtr_123\"}}")
            .getBytes(StandardCharsets.UTF_8);
    String header = SignedPayload.of(thin).secret(SECRET).at(NOW).header();
    VerifiedEvent event = verifier(SECRET).verify(thin, header);
    assertThat(event.isThin()).isTrue();
    assertThat(event.account()).contains("acct_123");
    assertThat(event.dataObjectId()).contains("mtr_123");
    assertThat(event.created()).contains(Instant.parse("2024-09-17T06:20:52.246Z"));
    assertThat(event.eventNotification().getType())
        .isEqualTo("v1.billing.meter.error_report_triggered");
    assertThatThrownBy(event::event).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void buildsTheStripeEventOnceAndKeepsItsRawJson() throws Exception {
    String header = SignedPayload.of(body).secret(SECRET).at(NOW).header();
    VerifiedEvent event = verifier(SECRET).verify(body, header);
    assertThat(event.event()).isSameAs(event.event());
    assertThat(event.event().getRawJsonObject().get("id").getAsString()).isEqualTo(event.id());
    assertThat(event.dataObject()).isInstanceOf(com.stripe.model.PaymentIntent.class);
  }

  static byte[] fixture(String path) throws IOException {
    try (InputStream in = SignatureVerifierTest.class.getClassLoader().getResourceAsStream(path)) {
      return in.readAllBytes();
    }
  }

  @Test
  void verifyStoredAcceptsAnOldTimestampButStillChecksTheSignature() throws Exception {
    String dayOld = SignedPayload.of(body).secret(SECRET).at(NOW - 86_400).header();
    assertThat(reasonOf(verifier(SECRET), body, dayOld)).isEqualTo(TIMESTAMP_OUTSIDE_TOLERANCE);
    assertThat(verifier(SECRET).verifyStored(body, dayOld).signedAt()).isEqualTo(NOW - 86_400);

    assertThatThrownBy(() -> verifier("whsec_rotated_away").verifyStored(body, dayOld))
        .isInstanceOfSatisfying(
            WebhookVerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(SIGNATURE_MISMATCH));
  }
}
