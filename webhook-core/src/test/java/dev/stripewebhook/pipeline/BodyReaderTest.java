// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.Reason;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bodies with and without a declared length, read whole, bounded, into arrays of their own. */
class BodyReaderTest {
  private static final int LIMIT = 100_000;
  private final BodyReader reader = new BodyReader(LIMIT, Duration.ofSeconds(30));

  @Test
  void readsEveryBodyWholeIntoAnArrayOfExactlyItsLength() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    byte[] previous = null;
    for (int size : new int[] {0, 1, 6_000, 8_191, 8_192, 8_193, 20_000, 70_000, 6_000, LIMIT}) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      for (boolean declared : new boolean[] {true, false}) {
        byte[] read = reader.read(new Trickle(bytes, declared, 1 + random.nextInt(5_000)));
        assertThat(read).isEqualTo(bytes).isNotSameAs(previous);
        previous = read;
      }
    }
  }

  @Test
  void theNextBodyOnTheSameThreadLeavesTheLastOneAsItWas() throws Exception {
    byte[] first = reader.read(new Trickle(new byte[] {1, 2, 3}, false, 2));
    byte[] second = reader.read(new Trickle(new byte[] {9, 9, 9, 9}, false, 4));
    assertThat(first).containsExactly(1, 2, 3);
    assertThat(second).containsExactly(9, 9, 9, 9);
  }

  @Test
  void refusesABodyOverTheLimitWithOrWithoutADeclaredLength() {
    byte[] over = new byte[LIMIT + 1];
    for (boolean declared : new boolean[] {true, false}) {
      assertThatThrownBy(() -> reader.read(new Trickle(over, declared, 8_000)))
          .isInstanceOfSatisfying(
              Refusal.class, e -> assertThat(e.reason()).isEqualTo(Reason.BODY_TOO_LARGE));
    }
    // and a small limit, under the first read buffer's size
    BodyReader small = new BodyReader(10, Duration.ofSeconds(30));
    assertThatThrownBy(() -> small.read(new Trickle(new byte[11], false, 100)))
        .isInstanceOf(Refusal.class);
    byte[] ten = new byte[10];
    ten[9] = 5;
    assertThat(uncheckedRead(small, new Trickle(ten, false, 3))).isEqualTo(ten);
  }

  private static byte[] uncheckedRead(BodyReader reader, Delivery delivery) {
    try {
      return reader.read(delivery);
    } catch (Refusal e) {
      throw new AssertionError(e);
    }
  }

  /** A POST whose body arrives at most {@code chunk} bytes per read, declared or chunked. */
  private record Trickle(byte[] bytes, boolean declared, int chunk) implements Delivery {
    @Override
    public String method() {
      return "POST";
    }

    @Override
    public String peerAddress() {
      return "127.0.0.1";
    }

    @Override
    public List<String> headers(String name) {
      return List.of();
    }

    @Override
    public long declaredLength() {
      return declared ? bytes.length : -1;
    }

    @Override
    public InputStream body() {
      return new InputStream() {
        private int next;

        @Override
        public int read() {
          return next < bytes.length ? bytes[next++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
          if (length == 0) {
            return 0;
          }
          if (next == bytes.length) {
            return -1;
          }
          int n = Math.min(Math.min(length, chunk), bytes.length - next);
          System.arraycopy(bytes, next, into, offset, n);
          next += n;
          return n;
        }
      };
    }

    @Override
    public String target() {
      return "/test";
    }
  }
}
