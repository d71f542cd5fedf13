// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Escaping and formatting for the console's pages: every stored value goes through here. */
final class Html {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter INPUT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

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
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.toString();
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
   * The innermost message of a stored error ({@code "x.AException: ... y.BException: cause"}
   * gives {@code "cause"}), for a list cell; the whole text when it has no such part.
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
   * A {@code Stripe-Signature} header fit to show: the timestamp and the scheme names, never a
   * signature value ({@code t=1700000000, v1=…, v0=…}).
   */
  static String redactSignature(String header) {
    if (header == null || header.isEmpty()) {
      return "";
    }
    StringBuilder shown = new StringBuilder();
    for (String item : header.split(",", 64)) {
      int equals = item.indexOf('=');
      String key = equals < 0 ? item : item.substring(0, equals);
      if (shown.length() > 0) {
        shown.append(", ");
      }
      if (key.equals("t")) {
        shown.append(item);
      } else {
        shown.append(shorten(key, 16)).append("=…");
      }
    }
    return shown.toString();
  }
}
