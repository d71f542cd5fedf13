// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a body as Stripe signs a delivery: HMAC-SHA256, keyed with the whole endpoint secret
 * ({@code whsec_} prefix included, as UTF-8), over {@code "<timestamp>.<body bytes>"}. The verifier
 * checks with it, the recovery signs the events it fetches with it, and the test kit builds its
 * {@code Stripe-Signature} headers with it.
 *
 * <p>Thread safe: each signature is computed on a copy of the initialised MAC.
 */
public final class WebhookSigner {
  private static final String HMAC = "HmacSHA256";
  private final Mac prototype;

  private WebhookSigner(Mac prototype) {
    this.prototype = prototype;
  }

  /** A signer for one endpoint secret. */
  public static WebhookSigner of(String secret) {
    Objects.requireNonNull(secret, "secret == null");
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
      return new WebhookSigner(mac);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  /**
   * The {@code Stripe-Signature} header Stripe would send: {@code t=...} and one {@code v1=...} per
   * secret.
   */
  public static String header(long timestamp, byte[] body, List<String> secrets) {
    StringBuilder header = new StringBuilder("t=").append(timestamp);
    for (String secret : secrets) {
      header.append(",v1=").append(of(secret).hex(timestamp, body));
    }
    return header.toString();
  }

  /** The signature as lower-case hex, as it appears after {@code v1=}. */
  public String hex(long timestamp, byte[] body) {
    return HexFormat.of().formatHex(sign(timestamp, body));
  }

  /** The raw 32-byte signature. */
  public byte[] sign(long timestamp, byte[] body) {
    Mac mac = copy();
    mac.update(Long.toString(timestamp).getBytes(StandardCharsets.US_ASCII));
    mac.update((byte) '.');
    mac.update(body);
    return mac.doFinal();
  }

  private Mac copy() {
    try {
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("this JVM's HmacSHA256 cannot be cloned", e);
    }
  }
}
