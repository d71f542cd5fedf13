// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.internal;

import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The held body as UTF-8 text, decoded straight from its array into the reader's caller's buffer:
 * an {@code InputStreamReader} over it would copy it through an 8 KiB buffer of its own first. The
 * decoding is the same (the JDK's UTF-8 decoder, malformed input replaced, as {@code
 * InputStreamReader} and {@code new String(body, UTF_8)} do).
 *
 * <p>Not thread safe. Not API: may change in any release.
 */
public final class Utf8BodyReader extends Reader {
  private final ByteBuffer in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private boolean flushed;
  private CharBuffer wrapped;
  private int pending = -1; // the low surrogate of a pair asked for one char at a time

  /** A reader over {@code body}, which it reads and never writes. */
  public Utf8BodyReader(byte[] body) {
    this(body, 0, body.length);
  }

  /** A reader over {@code length} bytes of {@code body} from {@code offset}, never written. */
  public Utf8BodyReader(byte[] body, int offset, int length) {
    this.in = ByteBuffer.wrap(body, offset, length);
  }

  @Override
  public int read(char[] buffer, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    if (length == 0) {
      return 0;
    }
    int read = 0;
    if (pending >= 0) {
      buffer[offset] = (char) pending;
      pending = -1;
      read = 1;
    }
    if (read == length) {
      return read;
    }
    if (length - read == 1) {
      // One char of room may not hold a surrogate pair: decode two, keep the second.
      char[] two = new char[2];
      int got = decode(two, 0, 2);
      if (got <= 0) {
        return read == 0 ? -1 : read;
      }
      buffer[offset + read] = two[0];
      if (got == 2) {
        pending = two[1];
      }
      return read + 1;
    }
    int got = decode(buffer, offset + read, length - read);
    if (got <= 0) {
      return read == 0 ? -1 : read;
    }
    return read + got;
  }

  /** Decodes into {@code buffer}; the number of chars, 0 or less at the end. */
  private int decode(char[] buffer, int offset, int length) {
    if (flushed) {
      return 0;
    }
    // A JSON reader reads into the same array every time: one wrapper for it, not one per read.
    CharBuffer out = wrapped;
    if (out == null || out.array() != buffer) {
      out = wrapped = CharBuffer.wrap(buffer);
    }
    out.clear().position(offset).limit(offset + length);
    decoder.decode(in, out, true); // all the input is here; REPLACE: never an error result
    if (!in.hasRemaining() && out.hasRemaining()) {
      flushed = decoder.flush(out).isUnderflow();
    }
    return out.position() - offset;
  }

  @Override
  public void close() {}
}
