// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Holds the body the servlet behind the filter writes until the inbox has recorded the outcome:
 * Stripe must not get the servlet's 2xx for an event whose done mark then fails to commit. Status
 * and headers go to the response as set; nothing is committed before {@link #release()}, unless the
 * servlet calls {@code sendError} with a status other than 2xx, or {@code sendRedirect}.
 */
final class HeldResponse extends HttpServletResponseWrapper {
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();

  /** Where the servlet's bytes go: the held buffer, then, once released, the response. */
  private final OutputStream body =
      new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          target().write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
          target().write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
          if (released) {
            getResponse().flushBuffer();
          }
        }
      };

  private volatile boolean released;
  private ServletOutputStream stream;
  private PrintWriter writer;

  HeldResponse(HttpServletResponse response) {
    super(response);
  }

  private OutputStream target() throws IOException {
    return released ? getResponse().getOutputStream() : held;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (writer != null) {
      throw new IllegalStateException("getWriter() has already been called for this response");
    }
    if (stream == null && released) {
      return getResponse().getOutputStream();
    }
    if (stream == null) {
      stream =
          new ServletOutputStream() {
            @Override
            public boolean isReady() {
              return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
              throw new IllegalStateException("non-blocking writes are not held");
            }

            @Override
            public void write(int b) throws IOException {
              body.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
              body.write(bytes, offset, length);
            }

            @Override
            public void flush() throws IOException {
              body.flush();
            }
          };
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (stream != null) {
      throw new IllegalStateException(
          "getOutputStream() has already been called for this response");
    }
    if (writer == null && released) {
      return getResponse().getWriter();
    }
    if (writer == null) {
      // Once released, each write goes on to the response at once: the container flushes its
      // own writer when the request completes, not this one.
      writer =
          new PrintWriter(new OutputStreamWriter(body, Charset.forName(getCharacterEncoding()))) {
            @Override
            public void write(int c) {
              super.write(c);
              flushIfReleased();
            }

            @Override
            public void write(char[] chars, int offset, int length) {
              super.write(chars, offset, length);
              flushIfReleased();
            }

            @Override
            public void write(String text, int offset, int length) {
              super.write(text, offset, length);
              flushIfReleased();
            }

            private void flushIfReleased() {
              if (released) {
                flush();
              }
            }
          };
    }
    return writer;
  }

  /** Nothing leaves before {@link #release()}; after it, flushes through. */
  @Override
  public void flushBuffer() throws IOException {
    if (writer != null) {
      writer.flush();
    }
    if (released) {
      getResponse().flushBuffer();
    }
  }

  @Override
  public void resetBuffer() {
    super.resetBuffer();
    held.reset();
  }

  @Override
  public void reset() {
    super.reset();
    held.reset();
  }

  /**
   * A {@code sendError} with a 2xx status is held like any 2xx: it would otherwise commit a success
   * before the event's done mark (a non-2xx one may go at once: the event fails anyway).
   */
  @Override
  public void sendError(int status) throws IOException {
    if (status >= 200 && status <= 299) {
      setStatus(status);
    } else {
      super.sendError(status);
    }
  }

  @Override
  public void sendError(int status, String message) throws IOException {
    if (status >= 200 && status <= 299) {
      setStatus(status);
    } else {
      super.sendError(status, message);
    }
  }

  /**
   * Sends the held body; what the servlet writes from now on (an asynchronous servlet that is still
   * running) goes straight to the response.
   */
  void release() throws IOException {
    if (writer != null) {
      writer.flush();
    }
    released = true;
    if (held.size() > 0 && !getResponse().isCommitted()) {
      held.writeTo(getResponse().getOutputStream()); // no copy of the held bytes
    }
    held.reset();
  }

  /** Forgets the servlet's answer, status and headers too, so that the filter answers instead. */
  void discard() {
    held.reset();
    if (!getResponse().isCommitted()) {
      getResponse().reset();
    }
  }
}
