// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body once, never buffering more than the limit. */
final class BoundedBodyReader {
  private final int maxBodySize;

  BoundedBodyReader(int maxBodySize) {
    this.maxBodySize = maxBodySize;
  }

  /** Checks the declared length before any byte is read: a too large body is never buffered. */
  void checkDeclaredLength(HttpServletRequest request) throws BodyTooLargeException {
    long declared = request.getContentLengthLong();
    if (declared > maxBodySize) {
      throw new BodyTooLargeException("Content-Length " + declared + " is over the limit of "
          + maxBodySize + " bytes");
    }
  }

  /**
   * Reads the whole body.
   *
   * @throws BodyTooLargeException when the declared length, or the bytes read from a chunked
   *     body, exceed the limit; reading stops at limit + 1 bytes
   * @throws BodyConsumedException when fewer bytes arrive than declared because something read
   *     them before this filter
   */
  byte[] read(HttpServletRequest request) throws IOException {
    checkDeclaredLength(request);
    long declared = request.getContentLengthLong();
    // Read the stream before any getParameter() or getReader() call: after either, the
    // container may have consumed it.
    InputStream in = request.getInputStream();
    if (declared >= 0) {
      byte[] body = in.readNBytes((int) declared);
      if (body.length < declared) {
        throw new BodyConsumedException("the request declared " + declared + " bytes but only "
            + body.length + " could be read: something before StripeWebhookFilter (a filter"
            + " calling getParameter(), getInputStream() or getReader()) consumed the body; map"
            + " StripeWebhookFilter before it");
      }
      return body;
    }
    // Chunked: no declared length, so stop one byte past the limit.
    byte[] body = in.readNBytes(maxBodySize + 1);
    if (body.length > maxBodySize) {
      throw new BodyTooLargeException("the chunked body is over the limit of " + maxBodySize
          + " bytes");
    }
    return body;
  }
}
