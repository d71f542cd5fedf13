// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Reads, for a log line only, what a delivery that did not verify claimed; trusts none of it. */
final class SignatureHeaderPeek {
  private SignatureHeaderPeek() {}

  /** The first {@code t=} of the header as a number, or -1. */
  public static long timestamp(String header) {
    if (header == null || header.length() > 8192) {
      return -1;
    }
    for (String item : header.split(",", 20)) {
      if (item.startsWith("t=")
          && item.length() > 2
          && item.length() <= 20
          && item.substring(2).chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Long.parseLong(item.substring(2));
      }
    }
    return -1;
  }

  /** The first 12 hex characters of the body's SHA-256: enough to match it with a sender's. */
  public static String sha256Prefix(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
