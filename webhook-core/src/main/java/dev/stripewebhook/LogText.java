// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.regex.Pattern;

/**
 * Makes a value from a request safe to put in a log line: control characters (a newline in a signed
 * event id would forge a line) come out escaped, and the length is capped.
 *
 * <p>Not API: may change in any release.
 */
public final class LogText {
  private static final int MAX_LENGTH = 300;
  // API keys (Stripe's messages show them masked, sk_test_****abcd) and signing secrets.
  private static final Pattern KEY =
      Pattern.compile("\\b((sk|rk|pk)_(test|live)_|whsec_)[A-Za-z0-9*_]*");

  private LogText() {}

  /** {@code value} with every control character escaped; "null" for null. */
  public static String escape(String value) {
    if (value == null) {
      return "null";
    }
    int length = Math.min(value.length(), MAX_LENGTH);
    int i = 0;
    while (i < length && !isControl(value.charAt(i))) {
      i++;
    }
    if (i == value.length()) {
      return value;
    }
    StringBuilder escaped = new StringBuilder(length + 16).append(value, 0, i);
    for (; i < length; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> escaped.append("\\n");
        case '\r' -> escaped.append("\\r");
        case '\t' -> escaped.append("\\t");
        default -> {
          if (isControl(c)) {
            escaped.append(String.format("\\u%04x", (int) c));
          } else {
            escaped.append(c);
          }
        }
      }
    }
    if (value.length() > MAX_LENGTH) {
      escaped.append("…(").append(value.length()).append(" chars)");
    }
    return escaped.toString();
  }

  /**
   * {@code value} (a message from Stripe's API, say) with every Stripe API key and signing secret
   * in it, masked or not, replaced by {@code (key)}, then {@linkplain #escape escaped}.
   */
  public static String withoutKeys(String value) {
    return escape(maskKeys(value));
  }

  /**
   * {@code value} with every Stripe API key and signing secret in it, masked or not, replaced by
   * {@code (key)}, and nothing else changed; null for null. For text kept or shown whole, such as
   * an attempt's error in the inbox.
   */
  public static String maskKeys(String value) {
    return value == null ? null : KEY.matcher(value).replaceAll("(key)");
  }

  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
