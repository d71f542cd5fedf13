// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.testing;

import dev.stripewebhook.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A body and the {@code Stripe-Signature} header Stripe would send with it, for tests. Starts
 * valid; each method breaks or changes one thing:
 *
 * <pre>{@code
 * SignedPayload payload = SignedPayload.of(body).secret("whsec_test").at(now);
 * payload.header();                                   // t=...,v1=...
 * payload.withSignature("v1", "00").header();         // a deliberately wrong signature
 * }</pre>
 *
 * <p>Immutable.
 *
 * @since 0.1
 */
public final class SignedPayload {
  private final byte[] body;
  private final byte[] signedBody;
  private final List<String> secrets;
  private final Long timestamp;
  private final List<String> replacedSignatures;
  private final List<String> extraItems;

  private SignedPayload(
      byte[] body,
      byte[] signedBody,
      List<String> secrets,
      Long timestamp,
      List<String> replacedSignatures,
      List<String> extraItems) {
    this.body = body;
    this.signedBody = signedBody;
    this.secrets = secrets;
    this.timestamp = timestamp;
    this.replacedSignatures = replacedSignatures;
    this.extraItems = extraItems;
  }

  /** The exact bytes to sign and send. */
  public static SignedPayload of(byte[] body) {
    byte[] copy = Objects.requireNonNull(body, "body == null").clone();
    return new SignedPayload(copy, copy, List.of(), null, null, List.of());
  }

  /** The UTF-8 bytes of {@code body}. */
  public static SignedPayload of(String body) {
    return of(body.getBytes(StandardCharsets.UTF_8));
  }

  /** Signs with these secrets: one {@code v1} each, as during secret rotation. */
  public SignedPayload secret(String... secrets) {
    return new SignedPayload(
        body, signedBody, List.of(secrets), timestamp, replacedSignatures, extraItems);
  }

  /** Signs at this time, in seconds since the epoch (default: the clock's now). */
  public SignedPayload at(long epochSecond) {
    return new SignedPayload(
        body, signedBody, secrets, epochSecond, replacedSignatures, extraItems);
  }

  /** Signs at this time (default: now). */
  public SignedPayload at(Instant time) {
    return at(time.getEpochSecond());
  }

  /** Replaces the computed signatures by {@code scheme=value} items, as given. */
  public SignedPayload withSignature(String scheme, String value) {
    return new SignedPayload(
        body, signedBody, secrets, timestamp, List.of(scheme + "=" + value), extraItems);
  }

  /** Appends a raw item ({@code "v0=abc"}, or anything malformed) to the header. */
  public SignedPayload withItem(String item) {
    List<String> items = new ArrayList<>(extraItems);
    items.add(item);
    return new SignedPayload(
        body, signedBody, secrets, timestamp, replacedSignatures, List.copyOf(items));
  }

  /** The same header over a different body: what a body changed in transit looks like. */
  public SignedPayload withBodyChangedTo(byte[] changed) {
    return new SignedPayload(
        changed.clone(), signedBody, secrets, timestamp, replacedSignatures, extraItems);
  }

  /** The body to send. */
  public byte[] body() {
    return body.clone();
  }

  /** The signed timestamp: the one given, or now. */
  public long timestamp() {
    return timestamp != null ? timestamp : Clock.systemUTC().instant().getEpochSecond();
  }

  /** The {@code Stripe-Signature} header value. */
  public String header() {
    long t = timestamp();
    StringBuilder header = new StringBuilder("t=").append(t);
    if (replacedSignatures != null) {
      replacedSignatures.forEach(item -> header.append(',').append(item));
    } else {
      for (String secret : secrets) {
        header.append(",v1=").append(sign(secret, t, signedBody));
      }
    }
    extraItems.forEach(item -> header.append(',').append(item));
    return header.toString();
  }

  /** The hex HMAC-SHA256 of {@code t + "." + body} keyed with the whole secret string. */
  public static String sign(String secret, long timestamp, byte[] body) {
    return WebhookSigner.of(secret).hex(timestamp, body);
  }
}
