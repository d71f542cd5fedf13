// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import dev.stripewebhook.pipeline.Delivery;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;

/**
 * A servlet request as a {@link Delivery}: its peer, headers and declared length, and its body (or
 * the entity stream a framework already took from it).
 *
 * @since 0.1
 */
public final class ServletDelivery implements Delivery {
  private final HttpServletRequest request;
  private final InputStream entity;

  private ServletDelivery(HttpServletRequest request, InputStream entity) {
    this.request = request;
    this.entity = entity;
  }

  /** The request, with the body read from {@code getInputStream()}. */
  public static ServletDelivery of(HttpServletRequest request) {
    return new ServletDelivery(request, null);
  }

  /** The request, with the body read from {@code entity} (a JAX-RS entity stream). */
  public static ServletDelivery of(HttpServletRequest request, InputStream entity) {
    return new ServletDelivery(request, entity);
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
    return entity != null ? entity : request.getInputStream();
  }

  @Override
  public String target() {
    return request.getRequestURI();
  }
}
