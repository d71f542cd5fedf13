// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

/**
 * The small {@code application/problem+json} bodies (RFC 9457) of the filter and the JAX-RS
 * providers: a stable reason code, a title and a detail that never holds a secret.
 *
 * <p>Not API: may change in any release.
 */
public final class ProblemJson {
  /** The media type. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** Prefix of the {@code type} member; the reason code follows. */
  public static final String TYPE_PREFIX = "urn:stripe-webhook:problem:";

  private ProblemJson() {}

  /** The JSON text of one problem. */
  public static String of(int status, String reason, String title, String detail) {
    StringBuilder json = new StringBuilder(160 + detail.length());
    json.append("{\"type\":\"").append(TYPE_PREFIX).append(reason).append("\",\"title\":");
    appendString(json, title);
    json.append(",\"status\":").append(status).append(",\"reason\":");
    appendString(json, reason);
    json.append(",\"detail\":");
    appendString(json, detail);
    return json.append('}').toString();
  }

  private static void appendString(StringBuilder json, String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
