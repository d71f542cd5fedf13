// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * One HTTP request to a webhook endpoint, as a door (the servlet filter, the JAX-RS providers)
 * hands it to {@link WebhookEndpoint#deliver}: nothing of it has been read yet.
 *
 * @since 0.1
 */
public interface Delivery {
  /** The HTTP method. */
  String method();

  /** The address of the direct peer (the last proxy, when there is one). */
  String peerAddress();

  /** Every value of the header {@code name}, in order; empty when it is absent. */
  List<String> headers(String name);

  /** The first value of the header {@code name}, or {@code null}. */
  default String header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? null : values.get(0);
  }

  /** The declared body length ({@code Content-Length}), or -1 when not declared. */
  long declaredLength();

  /** The body, not yet read; the endpoint reads it once, bounded in size and time. */
  InputStream body() throws IOException;

  /** Where the request went (its path), for log lines. */
  String target();
}
