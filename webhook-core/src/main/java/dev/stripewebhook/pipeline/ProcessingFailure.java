// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

/**
 * A failed attempt of the processing behind a door (the servlet behind the filter, a JAX-RS
 * resource method): what the inbox records as the attempt's error.
 */
final class ProcessingFailure extends Exception {
  private static final long serialVersionUID = 1L;

  ProcessingFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
