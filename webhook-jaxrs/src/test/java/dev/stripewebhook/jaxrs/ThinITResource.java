// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import com.stripe.events.V1BillingMeterErrorReportTriggeredEvent;
import com.stripe.events.V1BillingMeterErrorReportTriggeredEventNotification;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.billing.Meter;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Resource methods of a thin endpoint with an API key and {@code thin-events=fetch}. */
@Path("/")
@Produces(MediaType.TEXT_PLAIN)
public class ThinITResource {

  /** Fetches the event and the meter through the notification, as stripe-java's docs show. */
  @POST
  @Path("meter")
  public String meter(@StripeEvent V1BillingMeterErrorReportTriggeredEventNotification notification)
      throws StripeException {
    V1BillingMeterErrorReportTriggeredEvent event = notification.fetchEvent();
    Meter meter = notification.fetchRelatedObject();
    return event.getData().getDeveloperMessageSummary() + " " + meter.getId();
  }

  /** A resource written for snapshot events, on a thin endpoint. */
  @POST
  @Path("intent")
  public String intent(@StripeEvent PaymentIntent intent) {
    return intent.getId() + " " + intent.getAmount();
  }

  /** A resource written for snapshot events, taking the event. */
  @POST
  @Path("event")
  public String event(@StripeEvent Event event) {
    return event.getType();
  }
}
