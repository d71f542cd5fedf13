// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8BodyReaderTest {
  @Test
  void decodesAsInputStreamReaderDoesWhateverTheBytesAndTheReadSizes() throws IOException {
    Random random = new Random(14);
    byte[][] samples = {
      "{\"name\":\"Zoë 🎉 日本\"}".getBytes(StandardCharsets.UTF_8),
      {(byte) 0xf0, (byte) 0x9f, 'a', (byte) 0xc3, (byte) 0xed, (byte) 0xa0, (byte) 0x80},
      {(byte) 0xe6, (byte) 0x97},
      new byte[0],
    };
    for (byte[] sample : samples) {
      for (int chunk = 1; chunk <= 5; chunk++) {
        assertThat(readAll(new Utf8BodyReader(sample), chunk))
            .isEqualTo(readAll(jdk(sample), chunk))
            .isEqualTo(new String(sample, StandardCharsets.UTF_8));
      }
    }
    for (int i = 0; i < 300; i++) {
      byte[] bytes = new byte[random.nextInt(40)];
      random.nextBytes(bytes);
      int chunk = 1 + random.nextInt(7);
      assertThat(readAll(new Utf8BodyReader(bytes), chunk))
          .as("%s", java.util.HexFormat.of().formatHex(bytes))
          .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
    }
  }

  @Test
  void readsOnlyTheSliceItWasGiven() throws IOException {
    Random random = new Random(15);
    for (int i = 0; i < 300; i++) {
      byte[] bytes = new byte[random.nextInt(40)];
      random.nextBytes(bytes);
      int offset = random.nextInt(bytes.length + 1);
      int length = random.nextInt(bytes.length - offset + 1);
      assertThat(readAll(new Utf8BodyReader(bytes, offset, length), 1 + random.nextInt(7)))
          .isEqualTo(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }
  }

  private static Reader jdk(byte[] bytes) {
    return new InputStreamReader(new java.io.ByteArrayInputStream(bytes), StandardCharsets.UTF_8);
  }

  private static String readAll(Reader reader, int chunk) throws IOException {
    StringBuilder text = new StringBuilder();
    char[] buffer = new char[chunk];
    int n;
    while ((n = reader.read(buffer, 0, chunk)) >= 0) {
      assertThat(n).isPositive();
      text.append(buffer, 0, n);
    }
    return text.toString();
  }
}
