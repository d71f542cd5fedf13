// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** An embedded Jetty 12 (ee10) on a free loopback port, for tests over real HTTP. */
final class JettyServer implements AutoCloseable {
  private final Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
  private final ServletContextHandler context = new ServletContextHandler("/");
  private int filters;

  JettyServer() {
    server.setHandler(context);
  }

  JettyServer servlet(String path, Servlet servlet) {
    return servlet(path, servlet, false);
  }

  JettyServer servlet(String path, Servlet servlet, boolean asyncSupported) {
    ServletHolder holder = new ServletHolder(servlet);
    holder.setAsyncSupported(asyncSupported);
    context.addServlet(holder, path);
    return this;
  }

  JettyServer filter(String path, Filter filter) {
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, path, EnumSet.of(DispatcherType.REQUEST));
    return this;
  }

  JettyServer filter(String path, Class<? extends Filter> type, Map<String, String> initParams) {
    FilterHolder holder = new FilterHolder(type);
    holder.setInitParameters(initParams);
    // Several filters in one test application: each an endpoint of its own, unless a test names it.
    holder.setInitParameter(
        "stripe.webhook.endpoint",
        initParams.getOrDefault("stripe.webhook.endpoint", "endpoint-" + ++filters));
    context.addFilter(holder, path, EnumSet.of(DispatcherType.REQUEST));
    return this;
  }

  JettyServer attribute(String name, Object value) {
    context.setAttribute(name, value);
    return this;
  }

  /** A servlet context attribute, as the running application sees it. */
  Object contextAttribute(String name) {
    return context.getServletContext().getAttribute(name);
  }

  JettyServer start() throws Exception {
    server.start();
    return this;
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
