// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.ArrayList;
import java.util.List;

/**
 * XX *
 *
 * <p>Not API: may change in any release.
 */
public final class CommaList {
  private CommaList() {}

  /** The trimmed, non-blank entries of {@code value}, in order. */
  public static List<String> split(String value) {
    List<String> parts = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        parts.add(part.trim());
      }
    }
    return parts;
  }
}
