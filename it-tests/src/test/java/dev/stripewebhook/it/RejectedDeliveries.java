// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import static dev.stripewebhook.it.ShopClient.FILTER;
import static dev.stripewebhook.it.ShopClient.JAXRS;
import static dev.stripewebhook.it.ShopClient.json;
import static dev.stripewebhook.it.ShopClient.signed;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every way a delivery fails verification gets its status and reason code, on the filter's path and
 * on the JAX-RS path alike, and never reaches the observers. Each test starts from a valid signed
 * event and breaks one thing.
 */
public abstract class RejectedDeliveries {
  private static final List<String> BOTH_PATHS = List.of(FILTER, JAXRS);

  /** The shop on the container under test. */
  protected abstract ShopClient shop();

  @Test
  void deliveryWithoutSignatureHeaderIsRejectedAsMissingHeader() throws Exception {
    for (String path : BOTH_PATHS) {
      JsonObject event = event();
      HttpResponse<String> response = shop().sender(path).post(bytes(event), null);
      assertRejected(path, event, response, 400, "missing-signature-header");
    }
  }

  @Test
  void deliveryWithMalformedHeaderIsRejectedAsMalformed() throws Exception {
    for (String path : BOTH_PATHS) {
      JsonObject event = event();
      SignedPayload payload = signed(bytes(event)).withItem("v1=NOT-HEX");
      assertRejected(
          path, event, shop().sender(path).send(payload), 400, "malformed-signature-header");
    }
  }

  @Test
  void deliverySignedWithAnotherSecretIsRejectedAsMismatch() throws Exception {
    for (String path : BOTH_PATHS) {
      JsonObject event = event();
      SignedPayload payload = signed(bytes(event)).secret("whsec_not_the_deployments_secret");
      assertRejected(path, event, shop().sender(path).send(payload), 400, "signature-mismatch");
    }
  }

  @Test
  void deliverySignedAnHourAgoIsRejectedAsOutsideTolerance() throws Exception {
    for (String path : BOTH_PATHS) {
      JsonObject event = event();
      SignedPayload payload = signed(bytes(event)).at(Instant.now().minusSeconds(3600));
      assertRejected(
          path, event, shop().sender(path).send(payload), 400, "timestamp-outside-tolerance");
    }
  }

  @Test
  void deliverySignedAnHourAheadIsRejectedAsOutsideTolerance() throws Exception {
    for (String path : BOTH_PATHS) {
      JsonObject event = event();
      SignedPayload payload = signed(bytes(event)).at(Instant.now().plusSeconds(3600));
      assertRejected(
          path, event, shop().sender(path).send(payload), 400, "timestamp-outside-tolerance");
    }
  }

  @Test
  void deliveryWithOneByteChangedIsRejectedAsMismatch() throws Exception {
    for (String path : BOTH_PATHS) {
      JsonObject event = event();
      byte[] changed = bytes(event);
      changed[changed.length - 1] = ' ';
      SignedPayload payload = signed(bytes(event)).withBodyChangedTo(changed);
      assertRejected(path, event, shop().sender(path).send(payload), 400, "signature-mismatch");
    }
  }

  @Test
  void getOnTheFilterIsMethodNotAllowedWithItsReason() throws Exception {
    HttpResponse<String> response = shop().get(FILTER);
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(json(response).get("reason").getAsString()).isEqualTo("method-not-allowed");
  }

  @Test
  void getOnTheJaxRsEndpointIsMethodNotAllowed() throws Exception {
    assertThat(shop().get(JAXRS).statusCode()).isEqualTo(405);
  }

  @Test
  void bodyOverTheOneMebibyteLimitIsTooLarge() throws Exception {
    for (String path : BOTH_PATHS) {
      JsonObject event = event();
      byte[] valid = bytes(event);
      byte[] large = Arrays.copyOf(valid, (1 << 20) + 1);
      Arrays.fill(large, valid.length, large.length, (byte) ' ');
      assertRejected(path, event, shop().sender(path).send(signed(large)), 413, "body-too-large");
    }
  }

  private void assertRejected(
      String path, JsonObject event, HttpResponse<String> response, int status, String reason)
      throws Exception {
    assertThat(response.statusCode()).as("status on %s", path).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .as("type on %s", path)
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(json(response).get("reason").getAsString())
        .as("reason on %s", path)
        .isEqualTo(reason);
    assertThat(shop().observed(event.get("id").getAsString())).as("observed via %s", path).isZero();
  }

  private static JsonObject event() {
    return ShopClient.paymentIntent("payment_intent.succeeded", ShopClient.unique("ord_bad"));
  }

  private static byte[] bytes(JsonObject event) {
    return StripeFixtures.toBytes(event);
  }
}
