// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * One application of a door on embedded Jetty 12 (ee10), on a free loopback port, with an HTTP
 * client that keeps its session cookie (the admin console's CSRF token lives in the session).
 */
final class DoorApp implements AutoCloseable {
  private final Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
  private final ServletContextHandler context =
      new ServletContextHandler("/", ServletContextHandler.SESSIONS);
  private final List<AutoCloseable> closers = new ArrayList<>();
  final HttpClient client =
      HttpClient.newBuilder()
          .cookieHandler(new CookieManager())
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  DoorApp() {
    server.setHandler(context);
    // As a container deploying a WAR does; embedded Jetty runs none by itself. Only the
    // project's: the JAX-RS runtimes' own expect annotation scanning.
    for (ServletContainerInitializer initializer :
        ServiceLoader.load(ServletContainerInitializer.class)) {
      if (initializer.getClass().getName().startsWith("dev.stripewebhook.")) {
        context.addServletContainerInitializer(initializer);
      }
    }
  }

  DoorApp filter(String path, Filter filter) {
    context.addFilter(new FilterHolder(filter), path, EnumSet.of(DispatcherType.REQUEST));
    return this;
  }

  DoorApp servlet(String path, Servlet servlet) {
    return servlet(path, servlet, Map.of());
  }

  DoorApp servlet(String path, Servlet servlet, Map<String, String> initParameters) {
    ServletHolder holder = new ServletHolder(servlet);
    holder.setInitParameters(initParameters);
    holder.setInitOrder(1); // started with the application, so that a failure shows at once
    context.addServlet(holder, path);
    return this;
  }

  DoorApp listener(EventListener listener) {
    context.addEventListener(listener);
    return this;
  }

  DoorApp attribute(String name, Object value) {
    context.setAttribute(name, value);
    return this;
  }

  /** Closed, after the server stops, with the application. */
  DoorApp closing(AutoCloseable closer) {
    closers.add(closer);
    return this;
  }

  DoorApp start() throws Exception {
    server.start();
    return this;
  }

  URI uri(String path) {
    return URI.create(
        "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
  }

  /** The endpoint named {@code name} as the running application publishes it, or null. */
  WebhookEndpoint endpoint(String name) {
    return (WebhookEndpoint)
        context
            .getServletContext()
            .getAttribute(StripeWebhookFilter.ENDPOINT_ATTRIBUTE_PREFIX + name);
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop();
    } finally {
      for (AutoCloseable closer : closers) {
        closer.close();
      }
    }
  }
}
