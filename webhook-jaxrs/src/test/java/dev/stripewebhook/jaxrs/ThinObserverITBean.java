// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import com.stripe.events.UnknownEventNotification;
import com.stripe.model.PaymentIntent;
import com.stripe.model.v2.core.EventNotification;
import dev.stripewebhook.cdi.StripeEventType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Observes thin {@code v1.payment_intent.succeeded} events: fetches through the notification, and
 * takes the object.
 */
@ApplicationScoped
public class ThinObserverITBean {
  public static final List<String> SEEN = new CopyOnWriteArrayList<>();

  void onNotification(
      @Observes @StripeEventType("v1.payment_intent.succeeded") EventNotification notification)
      throws Exception {
    UnknownEventNotification unknown = (UnknownEventNotification) notification;
    String type = unknown.fetchEvent().getType();
    PaymentIntent intent = (PaymentIntent) unknown.fetchRelatedObject();
    SEEN.add("notification " + type + " " + intent.getId());
  }

  void onIntent(@Observes @StripeEventType("v1.payment_intent.succeeded") PaymentIntent intent) {
    SEEN.add("snapshot " + intent.getId());
  }
}
