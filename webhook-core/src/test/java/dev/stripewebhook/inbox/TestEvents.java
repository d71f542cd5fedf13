// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import com.google.gson.JsonObject;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookVerificationException;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;

/** Verified events for inbox tests, signed and verified as the filter would. */
final class TestEvents {
  static final String SECRET = "whsec_inbox_test";
  private static final SignatureVerifier VERIFIER =
      SignatureVerifier.create(WebhookConfig.builder().secrets(SECRET).build());

  private TestEvents() {}

  /** A realistic event of {@code type} with a fresh id. */
  static VerifiedEvent event(String type) {
    return verify(StripeFixtures.event(type));
  }

  /** An event about object {@code objectId}, created at {@code created} (epoch seconds). */
  static VerifiedEvent about(String objectId, long created) {
    JsonObject json = StripeFixtures.eventJson("customer.subscription.updated");
    json.addProperty("created", created);
    json.getAsJsonObject("data").getAsJsonObject("object").addProperty("id", objectId);
    return verify(StripeFixtures.toBytes(json));
  }

  /** A live-mode event of {@code type} with a fresh id. */
  static VerifiedEvent live(String type) {
    JsonObject json = StripeFixtures.eventJson(type);
    json.addProperty("livemode", true);
    return verify(StripeFixtures.toBytes(json));
  }

  static String header(VerifiedEvent event) {
    return SignedPayload.of(event.body()).secret(SECRET).header();
  }

  private static VerifiedEvent verify(byte[] body) {
    try {
      return VERIFIER.verify(body, SignedPayload.of(body).secret(SECRET).header());
    } catch (WebhookVerificationException e) {
      throw new AssertionError(e);
    }
  }
}
