// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import static dev.stripewebhook.it.ShopClient.ADMIN_PASSWORD;
import static dev.stripewebhook.it.ShopClient.FILTER;
import static dev.stripewebhook.it.ShopClient.JAXRS;
import static dev.stripewebhook.it.ShopClient.json;
import static dev.stripewebhook.it.ShopClient.paymentIntent;
import static dev.stripewebhook.it.ShopClient.signed;
import static dev.stripewebhook.it.ShopClient.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Signed deliveries reach the shop's CDI observers once, through the servlet filter and through
 * JAX-RS, and the read API shows what they did. The same assertions run on every container.
 */
public abstract class SignedDeliveries {

  /** The shop on the container under test. */
  protected abstract ShopClient shop();

  @Test
  void paymentThroughTheFilterIsAcceptedAndMarksTheOrderPaid() throws Exception {
    String order = unique("ord_filter");
    byte[] body = StripeFixtures.toBytes(paymentIntent("payment_intent.succeeded", order));

    assertThat(shop().sender(FILTER).send(body).statusCode()).isEqualTo(200);

    HttpResponse<String> read = shop().get("api/orders/" + order);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(json(read).get("status").getAsString()).isEqualTo("paid");
  }

  @Test
  void failedPaymentThroughJaxRsIsAcceptedAndMarksTheOrderFailed() throws Exception {
    String order = unique("ord_jaxrs");
    byte[] body = StripeFixtures.toBytes(paymentIntent("payment_intent.payment_failed", order));

    HttpResponse<String> response = shop().sender(JAXRS).send(body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("received").getAsBoolean()).isTrue();
    assertThat(json(shop().get("api/orders/" + order)).get("status").getAsString())
        .isEqualTo("failed");
  }

  @Test
  void observersRunOncePerDeliveryOnEitherPath() throws Exception {
    JsonObject viaFilter = paymentIntent("payment_intent.succeeded", unique("ord_once"));
    JsonObject viaJaxrs = paymentIntent("payment_intent.succeeded", unique("ord_once"));

    shop().sender(FILTER).send(StripeFixtures.toBytes(viaFilter));
    shop().sender(JAXRS).send(StripeFixtures.toBytes(viaJaxrs));

    assertThat(shop().observed(viaFilter.get("id").getAsString())).isEqualTo(1);
    assertThat(shop().observed(viaJaxrs.get("id").getAsString())).isEqualTo(1);
  }

  @Test
  void aRedeliveryIsAcknowledgedButAppliedOnceOnEitherPath() throws Exception {
    // Stripe retries until it gets a 2xx: a duplicate must be answered 200, never 4xx, and the
    // inbox keeps the observers from running again.
    for (String path : new String[] {FILTER, JAXRS}) {
      String order = unique("ord_again");
      JsonObject event = paymentIntent("payment_intent.succeeded", order);
      SignedPayload delivery = signed(StripeFixtures.toBytes(event));
      String id = event.get("id").getAsString();

      assertThat(shop().sender(path).send(delivery).statusCode()).as(path).isEqualTo(200);
      assertThat(shop().sender(path).send(delivery).statusCode()).as(path).isEqualTo(200);

      assertThat(shop().observed(id)).as(path).isEqualTo(1);
      assertThat(shop().appliedEvents(order)).as(path).containsExactly(id);
    }
  }

  @Test
  void eachEventIsRecordedDoneInTheDatabaseTheContainerProvides() throws Exception {
    JsonObject event = paymentIntent("payment_intent.succeeded", unique("ord_stored"));
    String id = event.get("id").getAsString();

    assertThat(shop().sender(JAXRS).send(StripeFixtures.toBytes(event)).statusCode())
        .isEqualTo(200);

    JsonObject row = json(shop().get("probe/inbox/" + id));
    assertThat(row.get("source").getAsString())
        .isEqualTo(System.getProperty("it.datasource", "context"));
    assertThat(row.get("status").getAsString()).isEqualTo("done");
    assertThat(row.get("attempts").getAsInt()).isEqualTo(1);
  }

  @Test
  void theAdminApiShowsAnEventWithItsStatusAndHowOftenHandlersRan() throws Exception {
    String order = unique("ord_admin");
    JsonObject event = paymentIntent("payment_intent.succeeded", order);
    String id = event.get("id").getAsString();
    SignedPayload delivery = signed(StripeFixtures.toBytes(event));
    shop().sender(FILTER).send(delivery);
    shop().sender(JAXRS).send(delivery);

    assertThat(shop().get("admin/api/events/" + id).statusCode()).isEqualTo(401);
    assertThat(shop().getAsAdmin("admin/api/events/" + id, "wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> read = shop().getAsAdmin("admin/api/events/" + id, ADMIN_PASSWORD);
    assertThat(read.statusCode()).isEqualTo(200);
    JsonObject json = json(read);
    assertThat(json.get("id").getAsString()).isEqualTo(id);
    assertThat(json.get("type").getAsString()).isEqualTo("payment_intent.succeeded");
    assertThat(json.get("status").getAsString()).isEqualTo("done");
    assertThat(json.get("attempts").getAsInt()).isEqualTo(1);
    assertThat(
            shop().getAsAdmin("admin/api/events/evt_unknown_" + order, ADMIN_PASSWORD).statusCode())
        .isEqualTo(404);
  }

  @Test
  void eventsAppliedToAnOrderAreListedInTheOrderTheyWereApplied() throws Exception {
    String order = unique("ord_history");
    JsonObject failed = paymentIntent("payment_intent.payment_failed", order);
    JsonObject succeeded = paymentIntent("payment_intent.succeeded", order);

    shop().sender(FILTER).send(StripeFixtures.toBytes(failed));
    shop().sender(JAXRS).send(StripeFixtures.toBytes(succeeded));

    JsonObject read = json(shop().get("api/orders/" + order));
    assertThat(read.get("id").getAsString()).isEqualTo(order);
    assertThat(read.get("status").getAsString()).isEqualTo("paid");
    assertThat(shop().appliedEvents(order))
        .containsExactly(failed.get("id").getAsString(), succeeded.get("id").getAsString());
  }

  @Test
  void jaxRsBehindTheJsonProviderVerifiesAndPassesOnTheExactBytesSent() throws Exception {
    // Pretty-printed, non-ASCII, keys in Stripe's order: any re-encoding breaks the signature.
    String order = unique("ord_bytes");
    JsonObject event = paymentIntent("payment_intent.succeeded", order);
    event
        .getAsJsonObject("data")
        .getAsJsonObject("object")
        .addProperty("description", "Café für 2 \u2615 \uD83D\uDE00 \"quoted\"");
    byte[] body =
        new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .create()
            .toJson(event)
            .replace("\n", "\r\n")
            .getBytes(StandardCharsets.UTF_8);

    assertThat(shop().sender(JAXRS).send(body).statusCode()).isEqualTo(200);

    String sent = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    assertThat(shop().observedSha256(event.get("id").getAsString())).isEqualTo(sent);
    assertThat(json(shop().get("api/orders/" + order)).get("status").getAsString())
        .isEqualTo("paid");
  }

  @Test
  void subscriptionEventIsReadBackAsJsonFromTheReadApi() throws Exception {
    String subscription = unique("sub");
    JsonObject event = StripeFixtures.eventJson("customer.subscription.updated");
    JsonObject object = event.getAsJsonObject("data").getAsJsonObject("object");
    object.addProperty("id", subscription);
    object.addProperty("status", "past_due");
    object.addProperty("customer", "cus_it");

    assertThat(shop().sender(FILTER).send(signed(StripeFixtures.toBytes(event))).statusCode())
        .isEqualTo(200);

    HttpResponse<String> read = shop().get("api/subscriptions/" + subscription);
    assertThat(read.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(json(read).get("status").getAsString()).isEqualTo("past_due");
    assertThat(json(read).get("customer").getAsString()).isEqualTo("cus_it");
  }

  @Test
  void unknownOrderIsNotFound() throws Exception {
    assertThat(shop().get("api/orders/" + unique("ord_unknown")).statusCode()).isEqualTo(404);
  }
}
