// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import com.stripe.events.V1BillingMeterErrorReportTriggeredEventNotification;
import com.stripe.model.Account;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.v2.core.EventNotification;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** The resource methods the JAX-RS tests call, one per kind of parameter. */
@Path("/")
@Produces(MediaType.TEXT_PLAIN)
public class WebhookITResource {

  @POST
  @Path("event")
  public String event(@StripeEvent Event event) {
    return event.getType();
  }

  @POST
  @Path("intent")
  public String intent(@StripeEvent PaymentIntent intent) {
    return intent.getId() + " " + intent.getAmount();
  }

  @POST
  @Path("account")
  public String account(@StripeEvent Account account) {
    return account.getId();
  }

  @POST
  @Path("delivery")
  public String delivery(@StripeEvent VerifiedEvent event) {
    return event.id();
  }

  @POST
  @Path("thin")
  public String thin(@StripeEvent EventNotification notification) {
    return notification.getType();
  }

  @POST
  @Path("meter")
  public String meter(@StripeEvent V1BillingMeterErrorReportTriggeredEventNotification meter) {
    return meter.getRelatedObject().getType() + " " + meter.getRelatedObject().getId();
  }

  @POST
  @Path("checked")
  @VerifyStripeSignature
  public String checked(String body, @Context HttpServletRequest request) {
    VerifiedEvent event = (VerifiedEvent) request.getAttribute(StripeWebhookFilter.EVENT_ATTRIBUTE);
    return event.id() + " " + body.length();
  }

  static final java.util.Set<String> FAILED_ONCE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Fails the first delivery of each event: the redelivery must call it again. */
  @POST
  @Path("flaky")
  public jakarta.ws.rs.core.Response flaky(@StripeEvent VerifiedEvent event) {
    if (FAILED_ONCE.add(event.id())) {
      return jakarta.ws.rs.core.Response.serverError().entity("not yet").build();
    }
    return jakarta.ws.rs.core.Response.ok("handled " + event.id()).build();
  }

  static final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> SLOW_RUNS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Takes 300 ms: copies of the event delivered meanwhile must not run it again. */
  @POST
  @Path("slow")
  public String slow(@StripeEvent VerifiedEvent event) throws InterruptedException {
    SLOW_RUNS
        .computeIfAbsent(event.id(), id -> new java.util.concurrent.atomic.AtomicInteger())
        .incrementAndGet();
    Thread.sleep(300);
    return "slow " + event.id();
  }

  /** Throws what no exception mapper maps, an Error. */
  @POST
  @Path("throws")
  public String throwing(@StripeEvent VerifiedEvent event) {
    throw new AssertionError("resource failed: secret detail");
  }

  /** What a JSON provider does with a plain parameter: proves the provider is active. */
  @POST
  @Path("json")
  @Consumes(MediaType.APPLICATION_JSON)
  public String json(Map<String, Object> body) {
    return String.valueOf(body.get("id"));
  }

  /** The trap: an Event parameter without @StripeEvent goes to the JSON provider. */
  @POST
  @Path("naive")
  @Consumes(MediaType.APPLICATION_JSON)
  public String naive(Event event) {
    return event.getType();
  }
}
