// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.stripe.Stripe;
import com.stripe.model.Account;
import com.stripe.model.EventDataClassLookup;
import com.stripe.model.StripeObject;
import com.stripe.model.StripeRawJsonObject;
import com.stripe.net.ApiResource;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link VerifiedEvent#dataObject()} binds {@code data.object} from the bytes when it can; these
 * tests hold that path to stripe-java's {@code event().getDataObjectDeserializer().getObject()}.
 */
class VerifiedEventTest {
  static final String SECRET = "whsec_test_secret";
  static final long NOW = 1_700_000_000L;
  static final SignatureVerifier VERIFIER =
      SignatureVerifier.create(
          WebhookConfig.builder()
              .secrets(SECRET)
              .clock(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC))
              .build());

  @Test
  void bindsEveryFixtureObjectFromTheBodyExactlyAsStripeJavaDoes() throws Exception {
    List<String> differences = new ArrayList<>();
    Set<String> fromBody = new TreeSet<>();
    Set<String> fellBack = new TreeSet<>();
    for (String resource : fixtureResources()) {
      String type = resource + ".updated";
      VerifiedEvent event = verify(StripeFixtures.event(type));
      String objectType = StripeFixtures.dataObject(type).get("object").getAsString();
      StripeObject direct = event.dataObjectFromBody();
      Optional<StripeObject> stripe = event.event().getDataObjectDeserializer().getObject();
      if (direct == null) {
        fellBack.add(resource + " (" + objectType + ")");
        if (EventDataClassLookup.classLookup.containsKey(objectType)) {
          differences.add(type + ": known object type " + objectType + " was not bound from bytes");
        }
      } else {
        fromBody.add(resource);
        differences.addAll(compare(type, direct, stripe.orElse(null)));
      }
      differences.addAll(
          compare(type + " via dataObject()", event.dataObject(), stripe.orElse(null)));
    }
    assertThat(differences).isEmpty();
    // Guards against a test that passes because nothing takes the new path.
    assertThat(fromBody)
        .hasSizeGreaterThan(100)
        .contains(
            "payment_intent",
            "invoice",
            "checkout.session",
            "subscription",
            "issuing.authorization");
    assertThat(fellBack)
        .allSatisfy(
            r -> assertThat(EventDataClassLookup.classLookup).doesNotContainKey(objectTypeOf(r)));
  }

  @Test
  void bindsTheRealConnectPayloadFromTheBodyOnceItsApiVersionMatches() throws Exception {
    String original =
        new String(fixture("fixtures/pay-account.updated.event.json"), StandardCharsets.UTF_8);
    assertThat(original).contains("\"api_version\": \"2020-08-27\"");
    byte[] current =
        original
            .replace(
                "\"api_version\": \"2020-08-27\"",
                "\"api_version\": \"" + Stripe.API_VERSION + "\"")
            .getBytes(StandardCharsets.UTF_8);
    VerifiedEvent event = verify(current);

    StripeObject direct = event.dataObjectFromBody();
    assertThat(direct).isInstanceOf(Account.class);
    assertThat(
            compare(
                "account.updated",
                direct,
                event.event().getDataObjectDeserializer().getObject().orElseThrow()))
        .isEmpty();
  }

  @Test
  void realPayloadOfAnOldApiVersionFallsBackToBestEffort() throws Exception {
    VerifiedEvent event = verify(fixture("fixtures/pay-account.updated.event.json"));
    assertThat(event.dataObjectFromBody()).isNull();
    assertThat(event.event().getDataObjectDeserializer().getObject()).isEmpty();
    assertThat(
            compare(
                "account.updated",
                event.dataObject(),
                event.event().getDataObjectDeserializer().deserializeUnsafe()))
        .isEmpty();
  }

  @Test
  void sameReleaseTrainButOtherDateFallsBackToGetObject() throws Exception {
    String train = Stripe.API_VERSION.substring(Stripe.API_VERSION.indexOf('.'));
    JsonObject json = StripeFixtures.eventJson("payment_intent.succeeded");
    json.addProperty("api_version", "2020-01-01" + train);
    VerifiedEvent event = verify(StripeFixtures.toBytes(json));

    assertThat(event.dataObjectFromBody()).isNull();
    Optional<StripeObject> stripe = event.event().getDataObjectDeserializer().getObject();
    assertThat(stripe).isPresent();
    assertThat(compare("payment_intent.succeeded", event.dataObject(), stripe.get())).isEmpty();
  }

  @Test
  void objectTypeUnknownToStripeJavaFallsBackToRawJson() throws Exception {
    JsonObject json = StripeFixtures.eventJson("payment_intent.succeeded");
    json.getAsJsonObject("data").getAsJsonObject("object").addProperty("object", "not_a_type");
    VerifiedEvent event = verify(StripeFixtures.toBytes(json));

    assertThat(event.dataObjectFromBody()).isNull();
    assertThat(event.dataObject()).isInstanceOf(StripeRawJsonObject.class);
    assertThat(ApiResource.INTERNAL_GSON.toJson(event.dataObject())).contains("\"not_a_type\"");
    assertThat(
            compare(
                "unknown",
                event.dataObject(),
                event.event().getDataObjectDeserializer().getObject().orElseThrow()))
        .isEmpty();
  }

  @Test
  void thinEventHasNoDataObject() throws Exception {
    byte[] thin =
        ("{\"id\":\"evt_test_65R\",\"object\":\"v2.core.event\",\"api_version\":\""
                + Stripe.API_VERSION
                + "\",\"type\":\"v1.billing.meter.error_report_triggered\","
                + "\"created\":\"2024-09-17T06:20:52.246Z\",\"data\":{\"object\":{\"id\":\"pi_1\","
                + "\"object\":\"payment_intent\"}},"
                + "\"related_object\":{\"id\":\"mtr_123\",\"type\":\"billing.meter\"}}")
            .getBytes(StandardCharsets.UTF_8);
    VerifiedEvent event = verify(thin);

    assertThat(event.dataObjectFromBody()).isNull();
    assertThatThrownBy(event::dataObject)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("thin event");
  }

  @Test
  void bindsTheDataObjectWhereverTheBodyPutsIt() throws Exception {
    JsonObject event = StripeFixtures.eventJson("payment_intent.succeeded");
    JsonObject data = event.getAsJsonObject("data");
    String object = new Gson().toJson(data.get("object"));
    String pretty = new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(event);
    String dataLast =
        "{\"id\":\"evt_layout\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\","
            + "\"api_version\":\""
            + Stripe.API_VERSION
            + "\",\"data\":{\"previous_attributes\":{\"object\":{\"x\":[1,{\"y\":\"}\"}]}},"
            + "\"object\":"
            + object
            + "}}";
    for (String body : List.of(pretty, dataLast)) {
      VerifiedEvent verified = verify(body.getBytes(StandardCharsets.UTF_8));
      StripeObject direct = verified.dataObjectFromBody();
      assertThat(direct).isNotNull();
      assertThat(
              compare(
                  "layout",
                  direct,
                  verified.event().getDataObjectDeserializer().getObject().orElseThrow()))
          .isEmpty();
    }
  }

  @Test
  void duplicateDataKeysBindTheLastAsStripeJavaDoes() throws Exception {
    String object = new Gson().toJson(StripeFixtures.dataObject("payment_intent.succeeded"));
    String head =
        "{\"id\":\"evt_dup\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\","
            + "\"api_version\":\""
            + Stripe.API_VERSION
            + "\",";
    String customer = "{\"id\":\"cus_first\",\"object\":\"customer\"}";
    List<String> bodies =
        List.of(
            // two "object" members in data: the last is the tree's
            head + "\"data\":{\"object\":" + customer + ",\"object\":" + object + "}}",
            // two "data" members: the last is the tree's
            head + "\"data\":{\"object\":" + customer + "},\"data\":{\"object\":" + object + "}}");
    for (String body : bodies) {
      VerifiedEvent verified = verify(body.getBytes(StandardCharsets.UTF_8));
      StripeObject stripe = verified.event().getDataObjectDeserializer().getObject().orElseThrow();
      assertThat(stripe.getClass().getSimpleName()).isEqualTo("PaymentIntent");
      assertThat(compare("duplicates", verified.dataObjectFromBody(), stripe)).isEmpty();
    }
    // A last "data" whose object is null leaves the tree without one (stripe-java cannot even
    // build the Event): nothing is bound from the body.
    VerifiedEvent noObject =
        verify(
            (head + "\"data\":{\"object\":" + object + "},\"data\":{\"object\":null}}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(noObject.dataObjectFromBody()).isNull();
  }

  @Test
  void keepsTheDataObjectItBuilt() throws Exception {
    VerifiedEvent exact = verify(StripeFixtures.event("invoice.paid"));
    assertThat(exact.dataObject()).isSameAs(exact.dataObject());

    VerifiedEvent old = verify(fixture("fixtures/pay-account.updated.event.json"));
    assertThat(old.dataObject()).isSameAs(old.dataObject());
  }

  /** The differences between the two objects, or none. */
  static List<String> compare(String what, StripeObject ours, StripeObject stripe) {
    if (stripe == null) {
      return List.of(what + ": stripe-java's getObject() is empty, ours gave " + ours);
    }
    List<String> differences = new ArrayList<>();
    if (ours.getClass() != stripe.getClass()) {
      differences.add(what + ": class " + ours.getClass() + " != " + stripe.getClass());
    }
    String ourJson = ApiResource.INTERNAL_GSON.toJson(ours);
    String stripeJson = ApiResource.INTERNAL_GSON.toJson(stripe);
    if (!ourJson.equals(stripeJson)) {
      differences.add(what + ": JSON differs\n  ours:   " + ourJson + "\n  stripe: " + stripeJson);
    }
    // StripeRawJsonObject has no equals(): for it, the JSON above is the comparison.
    if (!(ours instanceof StripeRawJsonObject) && !ours.equals(stripe)) {
      differences.add(what + ": not equals()");
    }
    return differences;
  }

  static VerifiedEvent verify(byte[] body) throws WebhookVerificationException {
    return VERIFIER.verify(body, SignedPayload.of(body).secret(SECRET).at(NOW).header());
  }

  static Set<String> fixtureResources() throws IOException {
    try (InputStream in =
        StripeFixtures.class.getResourceAsStream("stripe-openapi-fixtures3.json")) {
      return new Gson()
          .fromJson(new InputStreamReader(in, StandardCharsets.UTF_8), JsonObject.class)
          .getAsJsonObject("resources")
          .keySet();
    }
  }

  private static String objectTypeOf(String fellBack) {
    return fellBack.substring(fellBack.indexOf('(') + 1, fellBack.length() - 1);
  }

  static byte[] fixture(String path) throws IOException {
    try (InputStream in = VerifiedEventTest.class.getClassLoader().getResourceAsStream(path)) {
      return in.readAllBytes();
    }
  }
}
