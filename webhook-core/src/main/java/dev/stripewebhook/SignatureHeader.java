// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static dev.stripewebhook.Reason.MALFORMED_SIGNATURE_HEADER;
import static dev.stripewebhook.Reason.NO_V1_SIGNATURE;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed {@code Stripe-Signature} header: {@code t=<unix seconds>,v1=<hex>[,v1=<hex>...]}.
 *
 * <p>The strict reading that no real Stripe delivery can fail: items separated by {@code ,}, each
 * {@code key=value}, printable ASCII without spaces, no empty items; exactly one {@code t} of
 * decimal digits greater than 0; one or more {@code v1} of exactly 64 lower-case hex characters;
 * {@code v0} and unknown keys ignored. The header is capped before it is parsed.
 *
 * <p>Not API: may change in any release.
 */
final class SignatureHeader {
  /** Longest header accepted, in characters. Real ones are about 150. */
  public static final int MAX_LENGTH = 8192;

  /** Most {@code v1} entries accepted. Stripe sends one, or two during secret rotation. */
  public static final int MAX_V1 = 16;

  private static final int SIGNATURE_BYTES = 32;
  private static final int MAX_TIMESTAMP_DIGITS = 18;

  private final long timestamp;
  private final List<byte[]> v1;

  private SignatureHeader(long timestamp, List<byte[]> v1) {
    this.timestamp = timestamp;
    this.v1 = v1;
  }

  /** The signed timestamp, in seconds since the epoch; always greater than 0. */
  public long timestamp() {
    return timestamp;
  }

  /** The {@code v1} signatures, decoded; at least one, at most {@link #MAX_V1}. */
  public List<byte[]> v1Signatures() {
    return v1;
  }

  /**
   * Parses a header value.
   *
   * @throws WebhookVerificationException {@code MALFORMED_SIGNATURE_HEADER} or {@code
   *     NO_V1_SIGNATURE}; the message names the offending item by position, never its value
   */
  public static SignatureHeader parse(String header) throws WebhookVerificationException {
    if (header.length() > MAX_LENGTH) {
      throw malformed(
          "it is " + header.length() + " characters long; at most " + MAX_LENGTH + " are accepted");
    }
    long timestamp = -1;
    List<byte[]> v1 = new ArrayList<>(2);
    Set<String> otherSchemes = null; // only to name them when there is no v1
    int item = 0;
    int start = 0;
    while (start <= header.length()) {
      item++;
      int end = header.indexOf(',', start);
      if (end < 0) {
        end = header.length();
      }
      int eq = header.indexOf('=', start);
      if (end == start) {
        throw malformed("item " + item + " is empty (two commas in a row, or a comma at an end)");
      }
      if (eq < 0 || eq >= end) {
        throw malformed("item " + item + " is not key=value");
      }
      if (eq == start || eq == end - 1) {
        throw malformed("item " + item + " has an empty key or value");
      }
      for (int i = start; i < end; i++) {
        char c = header.charAt(i);
        if (c <= ' ' || c > '~') {
          throw malformed(
              "item " + item + " contains whitespace or a character outside printable" + " ASCII");
        }
      }
      int keyLength = eq - start;
      if (keyLength == 1 && header.charAt(start) == 't') {
        if (timestamp != -1) {
          throw malformed("it has more than one t= item");
        }
        timestamp = parseTimestamp(header, eq + 1, end);
      } else if (keyLength == 2 && header.startsWith("v1", start)) {
        if (v1.size() == MAX_V1) {
          throw malformed("it has more than " + MAX_V1 + " v1 signatures");
        }
        v1.add(parseSignature(header, eq + 1, end, item));
      } else {
        otherSchemes = otherSchemes == null ? new TreeSet<>() : otherSchemes;
        if (otherSchemes.size() < 8) {
          otherSchemes.add(
              keyLength <= 8
                  ? header.substring(start, eq)
                  : header.substring(start, start + 8) + "...");
        }
      }
      start = end + 1;
    }
    if (timestamp == -1) {
      throw malformed("it has no t= timestamp");
    }
    if (v1.isEmpty()) {
      throw new WebhookVerificationException(
          NO_V1_SIGNATURE,
          "Stripe-Signature has no v1 signature (keys present: t"
              + (otherSchemes == null ? "" : ", " + String.join(", ", otherSchemes))
              + "); only v1 is verified.");
    }
    return new SignatureHeader(timestamp, List.copyOf(v1));
  }

  private static long parseTimestamp(String header, int from, int to)
      throws WebhookVerificationException {
    if (to - from > MAX_TIMESTAMP_DIGITS) {
      throw malformed("its t= value has more than " + MAX_TIMESTAMP_DIGITS + " digits");
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = header.charAt(i);
      if (c < '0' || c > '9') {
        throw malformed("its t= value is not a decimal number of seconds");
      }
      value = value * 10 + (c - '0');
    }
    if (value == 0) {
      throw malformed("its t= value is 0");
    }
    return value;
  }

  private static byte[] parseSignature(String header, int from, int to, int item)
      throws WebhookVerificationException {
    if (to - from != 2 * SIGNATURE_BYTES) {
      throw malformed(
          "v1 signature in item "
              + item
              + " is "
              + (to - from)
              + " characters long, not 64 hex characters");
    }
    byte[] bytes = new byte[SIGNATURE_BYTES];
    for (int i = 0; i < SIGNATURE_BYTES; i++) {
      int high = lowerHexDigit(header.charAt(from + 2 * i));
      int low = lowerHexDigit(header.charAt(from + 2 * i + 1));
      if ((high | low) < 0) {
        throw malformed("v1 signature in item " + item + " is not lower-case hex");
      }
      bytes[i] = (byte) (high << 4 | low);
    }
    return bytes;
  }

  private static int lowerHexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  private static WebhookVerificationException malformed(String what) {
    return new WebhookVerificationException(
        MALFORMED_SIGNATURE_HEADER,
        "Stripe-Signature is malformed: " + what + ". Pass the header exactly as Stripe sent it.");
  }
}
