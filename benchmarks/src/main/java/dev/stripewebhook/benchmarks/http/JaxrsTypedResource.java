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
  private final LongAdder amounts = new LongAdder();

  /** Reads one field of the verified PaymentIntent and answers 204. */
  @POST
  public void paid(@StripeEvent PaymentIntent intent) {
    amounts.add(intent.getAmount());
  }
}
