// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import com.stripe.model.PaymentIntent;
import dev.stripewebhook.jaxrs.StripeEvent;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.concurrent.atomic.LongAdder;

/** The {@code jaxrs-typed} set-up: what a JAX-RS user writes, the typed object as parameter. */
@Path("/")
public final class JaxrsTypedResource {
  // static: JAX-RS creates a resource per request, as it does by default in deployments
  private static final LongAdder HANDLED = new LongAdder();
  private static final LongAdder AMOUNTS = new LongAdder();

  /** Reads one field of the verified PaymentIntent and answers 204. */
  @POST
  public void paid(@StripeEvent PaymentIntent intent) {
    AMOUNTS.add(intent.getAmount());
    HANDLED.increment();
  }

  /** How many calls the method has had. */
  static long handled() {
    return HANDLED.sum();
  }
}
