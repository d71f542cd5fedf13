// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.Objects;

/**
 * An event type pattern: an exact type ({@code invoice.paid}), a prefix wildcard ({@code
 * customer.subscription.*}) or {@code *}. Shared by handlers and CDI observers.
 *
 * <p>Not API: may change in any release.
 */
public final class EventTypePattern {
  private EventTypePattern() {}

  /**
   * Checks a pattern.
   *
   * @param owner what declared it, named in the message
   * @throws IllegalArgumentException when it is none of the three forms
   */
  public static String check(String pattern, String owner) {
    Objects.requireNonNull(pattern, "event type pattern == null");
    int star = pattern.indexOf('*');
    boolean valid =
        !pattern.isBlank()
            && pattern.strip().equals(pattern)
            && (star < 0
                || pattern.equals("*")
                || (star == pattern.length() - 1
                    && pattern.endsWith(".*")
                    && pattern.length() > 2));
    if (!valid) {
      throw new IllegalArgumentException(
          "Invalid event type pattern '"
              + pattern
              + "' in "
              + owner
              + ": use an exact type (invoice.paid), a prefix wildcard"
              + " (customer.subscription.*) or * for every event");
    }
    return pattern;
  }

  /** Whether a valid {@code pattern} matches {@code type}. */
  public static boolean matches(String pattern, String type) {
    if (pattern.equals("*") || pattern.equals(type)) {
      return true;
    }
    // "customer.subscription.*" matches every type that starts with "customer.subscription."
    return pattern.endsWith(".*")
        && type.length() > pattern.length() - 1
        && type.startsWith(pattern.substring(0, pattern.length() - 1));
  }
}
