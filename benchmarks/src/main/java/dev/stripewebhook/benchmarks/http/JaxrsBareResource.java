// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/**
 * The {@code jaxrs-bare} set-up: a Jersey resource that takes the body as bytes and does nothing
 * with it, what Jersey alone costs a request (the JAX-RS counterpart of the bare servlet).
 */
@Path("/")
public final class JaxrsBareResource {
  /** Takes the whole body and answers 204. */
  @POST
  public void take(byte[] body) {
    if (body.length == 0) {
      throw new IllegalStateException("no body");
    }
  }
}
