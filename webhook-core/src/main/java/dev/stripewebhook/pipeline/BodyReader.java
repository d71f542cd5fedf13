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
  /** The room a body without a declared length is first read into. */
  private static final int FIRST_CHUNK = 8192;

  /** The largest read buffer a thread keeps for its next body without a declared length. */
  private static final int KEPT_CHUNK = 64 * 1024;

  /**
   * Each thread's read buffer for bodies without a declared length (chunked): read into it, then
   * copied out at the exact length, so such a body costs one array of its own size, as one with a
   * {@code Content-Length} does, instead of a fresh 8 KiB buffer and the copy.
   */
  private static final ThreadLocal<byte[]> SCRATCH =
      ThreadLocal.withInitial(() -> new byte[FIRST_CHUNK]);

  private final int maxBodySize;
  private final long timeoutNanos;

  public BodyReader(int maxBodySize, Duration timeout) {
    this.maxBodySize = maxBodySize;
    this.timeoutNanos = timeout.toNanos();
  }

  /** The whole body, in an array of its own of exactly its length. */
  public byte[] read(Delivery delivery) throws Refusal {
    long declared = delivery.declaredLength();
    if (declared > maxBodySize) {
      throw new Refusal(
          Reason.BODY_TOO_LARGE,
          "Content-Length " + declared + " is over the limit of " + maxBodySize + " bytes.");
    }
    long deadline = System.nanoTime() + timeoutNanos;
    // Room for one byte over the limit, to tell a body at the limit from one over it.
    int limit = declared >= 0 ? (int) declared : maxBodySize + 1;
    byte[] scratch = declared >= 0 ? null : SCRATCH.get();
    byte[] body = scratch == null ? new byte[limit] : scratch;
    int room = Math.min(body.length, limit);
    int length = 0;
    try {
      InputStream in = delivery.body();
      while (true) {
        if (length == room) {
          if (room == limit) {
            break;
          }
          body = Arrays.copyOf(body, Math.min(limit, body.length * 2));
          room = body.length;
        }
        int read = in.read(body, length, room - length);
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
    } finally {
      if (scratch != null && body != scratch && body.length <= KEPT_CHUNK) {
        SCRATCH.set(body); // grown: kept for the thread's next chunked body, up to a bound
      }
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
    return scratch == null && length == body.length ? body : Arrays.copyOf(body, length);
  }
}
