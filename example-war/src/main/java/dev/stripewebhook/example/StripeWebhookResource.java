// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import com.stripe.model.Event;
import dev.stripewebhook.jaxrs.StripeEvent;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Stripe webhooks through JAX-RS: the parameter is verified on the raw bytes (the application's
 * JSON provider never sees them), and the CDI observers in {@link ShopEvents} have run.
 */
@Path("webhooks/stripe")
public class StripeWebhookResource {

  @POST
  @Produces(MediaType.APPLICATION_JSON)
  public String receive(@StripeEvent Event event) {
    return "{\"received\":true}";
  }
}
