// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import com.stripe.model.Event;
import dev.stripewebhook.cdi.StripeEventType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the payment intent events CDI delivers, to count dispatches per delivery. */
@ApplicationScoped
public class ObserverITBean {
  public static final List<String> SEEN = new CopyOnWriteArrayList<>();

  void onPaymentIntent(@Observes @StripeEventType("payment_intent.*") Event event) {
    SEEN.add(event.getId());
  }
}
