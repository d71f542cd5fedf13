// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import dev.stripewebhook.Delivery;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;

/** A servlet request as a {@link Delivery}. */
final class ServletDelivery implements Delivery {
  private final HttpServletRequest request;

  ServletDelivery(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String peerAddress() {
    return request.getRemoteAddr();
  }

  @Override
  public List<String> headers(String name) {
    return Collections.list(request.getHeaders(name));
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public long declaredLength() {
    return request.getContentLengthLong();
  }

  @Override
  public InputStream body() throws IOException {
    // Read before any getParameter() or getReader() call: after either, the container may have
    // consumed it.
    return request.getInputStream();
  }

  @Override
  public String target() {
    return request.getRequestURI();
  }
}
