// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;

/**
 * Reads a delivery's body once, bounded in size (never more than the limit is buffered) and in
 * time: each byte a slow sender trickles in resets the container's idle timeout, so the total time
 * is checked after every read, and a body not complete by the deadline is refused.
 *
 * <p>Not API: may change in any release.
 */
final class BodyReader {
  private static final int FIRST_CHUNK = 8192;

  private final int maxBodySize;
  private final long timeoutNanos;

  public BodyReader(int maxBodySize, Duration timeout) {
    this.maxBodySize = maxBodySize;
    this.timeoutNanos = timeout.toNanos();
  }

  /** The whole body. */
  public byte[] read(Delivery delivery) throws Refusal {
    long declared = delivery.declaredLength();
    if (declared > maxBodySize) {
      throw new Refusal(
          Reason.BODY_TOO_LARGE,
          "Content-Length " + declared + " is over the limit of " + maxBodySize + " bytes.");
    }
    long deadline = System.nanoTime() + timeoutNanos;
    byte[] body = new byte[declared >= 0 ? (int) declared : Math.min(FIRST_CHUNK, maxBodySize + 1)];
    int length = 0;
    try {
      InputStream in = delivery.body();
      while (true) {
        if (length == body.length) {
          if (declared >= 0 || length > maxBodySize) {
            break;
          }
          body = Arrays.copyOf(body, Math.min(maxBodySize + 1, body.length * 2));
        }
        int read = in.read(body, length, body.length - length);
        if (read < 0) {
          break;
        }
        length += read;
        if (System.nanoTime() - deadline > 0 && (declared < 0 || length < declared)) {
          throw new Refusal(
              Reason.BODY_TIMEOUT,
              "The body did not arrive within " + timeoutNanos / 1_000_000_000 + " s.");
        }
      }
    } catch (IOException e) {
      throw new Refusal(
          Reason.BODY_UNREADABLE,
          "The request body could not be read: the"
              + " connection broke, or the sender stopped sending.");
    }
    if (length > maxBodySize) {
      throw new Refusal(
          Reason.BODY_TOO_LARGE, "The body is over the limit of " + maxBodySize + " bytes.");
    }
    if (declared >= 0 && length < declared) {
      if (length == 0) {
        throw new Refusal(
            Reason.BODY_CONSUMED,
            "The request declared "
                + declared
                + " bytes but"
                + " none could be read: something before the webhook endpoint (a filter calling"
                + " getParameter(), getInputStream() or getReader()) consumed the body; map"
                + " StripeWebhookFilter before it.");
      }
      throw new Refusal(
          Reason.BODY_UNREADABLE,
          "The body ended after " + length + " of the " + declared + " bytes declared.");
    }
    return length == body.length ? body : Arrays.copyOf(body, length);
  }
}
