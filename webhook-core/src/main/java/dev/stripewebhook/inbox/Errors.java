// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.LogText;

/** How a failed attempt is written into {@code last_error}. */
final class Errors {
  static final int MAX_LENGTH = 2000;

  private Errors() {}

  /**
   * The exception's class and message, with any Stripe API key or signing secret in it masked (a
   * handler's exception may quote Stripe's "Invalid API Key provided: sk_live_****abcd"), cut to
   * {@value #MAX_LENGTH} characters.
   */
  static String describe(Throwable error) {
    String text =
        LogText.maskKeys(
            error.getMessage() == null
                ? error.toString()
                : error.getClass().getName() + ": " + error.getMessage());
    return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 1) + "…";
  }
}
