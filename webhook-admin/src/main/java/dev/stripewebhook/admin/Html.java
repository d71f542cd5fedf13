// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import dev.stripewebhook.LogText;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/** Escaping and formatting for the console's pages: every stored value goes through here. */
final class Html {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter INPUT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final int SHOWN_SIGNATURE_ITEMS = 8;
  // At most 19 digits (a long): a run of 64 digits is also a run of 64 hex characters.
  private static final Pattern SIGNED_TIMESTAMP = Pattern.compile("[0-9]{1,19}");
  private static final Pattern SCHEME_NAME = Pattern.compile("[A-Za-z0-9]{1,8}");

  private Html() {}

  /** The text with {@code & < > " '} escaped, for element content and quoted attributes. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** The text with control characters (a forged line break) replaced, for a log line. */
  static String forLog(String text) {
    return LogText.escape(text);
  }

  /** A query parameter value or path segment, percent-encoded. */
  static String url(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** An instant in UTC to the second, or an empty string. */
  static String time(Instant instant) {
    return instant == null ? "" : TIME.format(instant);
  }

  /** An instant as a {@code datetime-local} input value (UTC), or an empty string. */
  static String inputTime(Instant instant) {
    return instant == null ? "" : INPUT_TIME.format(instant);
  }

  /** The first {@code max} characters, with an ellipsis when cut. */
  static String shorten(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    return text.substring(0, max - 1) + "…";
  }

  /**
   * The innermost message of a stored error ({@code "x.AException: ... y.BException: cause"} gives
   * {@code "cause"}), for a list cell; the whole text when it has no such part.
   */
  static String errorMessage(String error) {
    if (error == null) {
      return null;
    }
    int end = Math.max(error.lastIndexOf("Exception: "), error.lastIndexOf("Error: "));
    if (end < 0) {
      return error;
    }
    String message = error.substring(error.indexOf(": ", end) + 2);
    return message.isBlank() ? error : message;
  }

  /**
   * A {@code Stripe-Signature} header fit to show ({@code t=1700000000, v1=…, v0=…}): of each
   * comma-separated item, a {@code t} whose value is 1 to 19 ASCII digits shows whole; any other
   * shows its name (when that is 1 to 8 ASCII letters or digits, else {@code …}) and {@code =…}; an
   * item without {@code =} shows as {@code …}; empty items not at all. At most {@value
   * #SHOWN_SIGNATURE_ITEMS} items show, then {@code … (n more)}, so the text stays under 250
   * characters. Whatever the header's shape, no value but such a timestamp appears: the whole
   * header is split, and every item is masked unless it passes the timestamp check.
   */
  static String redactSignature(String header) {
    if (header == null || header.isEmpty()) {
      return "";
    }
    StringBuilder shown = new StringBuilder();
    int items = 0;
    // No limit on the split: a limit leaves the tail in one item, which could start with "t=".
    for (String item : header.split(",", -1)) {
      String trimmed = item.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (items++ < SHOWN_SIGNATURE_ITEMS) {
        shown.append(shown.length() == 0 ? "" : ", ").append(redactItem(trimmed));
      }
    }
    if (items > SHOWN_SIGNATURE_ITEMS) {
      shown.append(", … (").append(items - SHOWN_SIGNATURE_ITEMS).append(" more)");
    }
    return shown.toString();
  }

  private static String redactItem(String item) {
    int equals = item.indexOf('=');
    if (equals < 0) {
      return "…";
    }
    String name = item.substring(0, equals).strip();
    String value = item.substring(equals + 1).strip();
    if (name.equals("t") && SIGNED_TIMESTAMP.matcher(value).matches()) {
      return "t=" + value;
    }
    return (SCHEME_NAME.matcher(name).matches() ? name : "…") + "=…";
  }
}
