// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import dev.stripewebhook.VerifiedEvent;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Objects;

/**
 * A request whose body has already been read, replaying the exact bytes to whoever reads it next: a
 * servlet, a JSON library or a JAX-RS runtime. Each call of {@link #getInputStream()} or {@link
 * #getReader()} starts again at the first byte, so the body can be read more than once.
 *
 * @since 0.1
 */
public final class CachedBodyRequest extends HttpServletRequestWrapper {
  private final VerifiedEvent event;

  /** Wraps {@code request}, whose body was {@code body}; the array is not copied. */
  public CachedBodyRequest(HttpServletRequest request, VerifiedEvent event) {
    super(request);
    this.event = Objects.requireNonNull(event, "event == null");
  }

  @Override
  public ServletInputStream getInputStream() {
    return new CachedInputStream(event.bodyStream());
  }

  /**
   * The body decoded in the request's character encoding, or UTF-8 (JSON's encoding) when the
   * request names none.
   */
  @Override
  public BufferedReader getReader() throws UnsupportedEncodingException {
    Charset charset = charset();
    // UTF-8, nearly always: decoded straight from the held bytes, without an 8 KiB byte buffer.
    Reader decoded =
        charset.equals(StandardCharsets.UTF_8)
            ? event.bodyReader()
            : new InputStreamReader(event.bodyStream(), charset);
    return new BufferedReader(decoded, Math.max(1, Math.min(event.bodyLength(), 8192)));
  }

  private Charset charset() throws UnsupportedEncodingException {
    String name = getCharacterEncoding();
    if (name == null) {
      return StandardCharsets.UTF_8;
    }
    try {
      return Charset.forName(name);
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      throw new UnsupportedEncodingException(name);
    }
  }

  @Override
  public int getContentLength() {
    return event.bodyLength();
  }

  @Override
  public long getContentLengthLong() {
    return event.bodyLength();
  }

  private static final class CachedInputStream extends ServletInputStream {
    private final InputStream in;

    CachedInputStream(InputStream body) {
      this.in = body;
    }

    @Override
    public int read() throws IOException {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public byte[] readAllBytes() throws IOException {
      return in.readAllBytes();
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public long skip(long n) throws IOException {
      return in.skip(n);
    }

    @Override
    public boolean isFinished() {
      try {
        return in.available() == 0;
      } catch (IOException e) {
        return true;
      }
    }

    @Override
    public boolean isReady() {
      return true;
    }

    /** All the data is already here: the listener hears so at once. */
    @Override
    public void setReadListener(ReadListener listener) {
      Objects.requireNonNull(listener, "listener == null");
      try {
        if (!isFinished()) {
          listener.onDataAvailable();
        }
        listener.onAllDataRead();
      } catch (IOException | RuntimeException e) {
        listener.onError(e);
      }
    }
  }
}
