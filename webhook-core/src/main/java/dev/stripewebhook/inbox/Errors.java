// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

/** How a failed attempt is written into {@code last_error}. */
final class Errors {
  static final int MAX_LENGTH = 2000;

  private Errors() {}

  /** The exception's class and message, cut to {@value #MAX_LENGTH} characters. */
  static String describe(Throwable error) {
    String text =
        error.getMessage() == null
            ? error.toString()
            : error.getClass().getName() + ": " + error.getMessage();
    return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 1) + "…";
  }
}
