// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Holds the body the servlet behind the filter writes until the inbox has recorded the outcome:
 * Stripe must not get the servlet's 2xx for an event whose done mark then fails to commit. Status
 * and headers go to the response as set; nothing is committed before {@link #release()}, unless
 * the servlet calls {@code sendError} or {@code sendRedirect}.
 */
final class HeldResponse extends HttpServletResponseWrapper {
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private ServletOutputStream stream;
  private PrintWriter writer;

  HeldResponse(HttpServletResponse response) {
    super(response);
  }

  @Override
  public ServletOutputStream getOutputStream() {
    if (writer != null) {
      throw new IllegalStateException("getWriter() has already been called for this response");
    }
    if (stream == null) {
      stream = new ServletOutputStream() {
        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          throw new IllegalStateException("non-blocking writes are not held");
        }

        @Override
        public void write(int b) {
          body.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
          body.write(bytes, offset, length);
        }
      };
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() {
    if (stream != null) {
      throw new IllegalStateException(
          "getOutputStream() has already been called for this response");
    }
    if (writer == null) {
      writer = new PrintWriter(new OutputStreamWriter(body,
          Charset.forName(getCharacterEncoding())));
    }
    return writer;
  }

  /** Nothing leaves before {@link #release()}. */
  @Override
  public void flushBuffer() {
    if (writer != null) {
      writer.flush();
    }
  }

  @Override
  public void resetBuffer() {
    super.resetBuffer();
    body.reset();
  }

  @Override
  public void reset() {
    super.reset();
    body.reset();
  }

  /** Sends the held body. */
  void release() throws IOException {
    if (writer != null) {
      writer.flush();
    }
    if (body.size() > 0 && !getResponse().isCommitted()) {
      getResponse().getOutputStream().write(body.toByteArray());
    }
  }

  /** Forgets the servlet's answer, status and headers too, so that the filter answers instead. */
  void discard() {
    body.reset();
    if (!getResponse().isCommitted()) {
      getResponse().reset();
    }
  }
}
