// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import static dev.stripewebhook.it.ShopClient.FILTER;
import static dev.stripewebhook.it.ShopClient.json;
import static dev.stripewebhook.it.ShopClient.paymentIntent;
import static dev.stripewebhook.it.ShopClient.signed;
import static dev.stripewebhook.it.ShopClient.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import org.junit.jupiter.api.Test;

/**
 * The inbox and the shop live in the database, not in the application: after the application starts
 * again, Stripe's redelivery of an event handled before is acknowledged and not applied a second
 * time.
 */
public abstract class InboxAcrossRestarts {

  /** The shop on the container under test. */
  protected abstract ShopClient shop();

  /** Stops the application and starts it again. */
  protected abstract void restart() throws Exception;

  @Test
  void aRedeliveryAfterARestartIsAcknowledgedAndNotAppliedAgain() throws Exception {
    String order = unique("ord_restart");
    JsonObject event = paymentIntent("payment_intent.succeeded", order);
    String id = event.get("id").getAsString();
    SignedPayload delivery = signed(StripeFixtures.toBytes(event));
    assertThat(shop().sender(FILTER).send(delivery).statusCode()).isEqualTo(200);
    assertThat(shop().observed(id)).isEqualTo(1);

    restart();

    assertThat(shop().sender(FILTER).send(delivery).statusCode()).isEqualTo(200);
    assertThat(shop().observed(id)).as("observer runs since the restart").isZero();
    assertThat(shop().appliedEvents(order)).containsExactly(id);
    assertThat(json(shop().get("api/orders/" + order)).get("status").getAsString())
        .isEqualTo("paid");
    JsonObject row = json(shop().get("probe/inbox/" + id));
    assertThat(row.get("status").getAsString()).isEqualTo("done");
    assertThat(row.get("attempts").getAsInt()).isEqualTo(1);
  }
}
