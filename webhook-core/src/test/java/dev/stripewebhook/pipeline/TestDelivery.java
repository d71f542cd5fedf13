// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.SignatureVerifier;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** A {@link Delivery} made up by a test: a POST from {@code peer} with these headers and body. */
public record TestDelivery(String peerAddress, Map<String, List<String>> headers, byte[] bytes)
    implements Delivery {

  /** A signed POST of {@code body} from 127.0.0.1. */
  public static TestDelivery signed(byte[] body, String signatureHeader) {
    return new TestDelivery(
        "127.0.0.1", Map.of(SignatureVerifier.SIGNATURE_HEADER, List.of(signatureHeader)), body);
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public List<String> headers(String name) {
    return headers.getOrDefault(name, List.of());
  }

  @Override
  public long declaredLength() {
    return bytes.length;
  }

  @Override
  public InputStream body() {
    return new ByteArrayInputStream(bytes);
  }

  @Override
  public String target() {
    return "/test";
  }
}
