// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import dev.stripewebhook.pipeline.WebhookEndpoint;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stops the endpoints the JAX-RS door built for itself when their application stops: their workers,
 * inbox pruning and alert checks would otherwise outlive an undeployment, holding the application's
 * class loader. The door builds its endpoint at the first request, when a listener can no longer be
 * added; so the container starts this initializer (listed in {@code META-INF/services}) with the
 * application, and it registers a listener that the door's endpoints join.
 */
public final class DoorLifecycle implements ServletContainerInitializer {
  private static final System.Logger LOG = System.getLogger(DoorLifecycle.class.getName());

  /** The servlet context attribute holding the endpoints to stop: {@value}. */
  static final String ENDPOINTS_ATTRIBUTE = "dev.stripewebhook.jaxrs.own-endpoints";

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) {
    List<WebhookEndpoint> endpoints = new CopyOnWriteArrayList<>();
    context.setAttribute(ENDPOINTS_ATTRIBUTE, endpoints);
    context.addListener(
        new ServletContextListener() {
          @Override
          public void contextDestroyed(ServletContextEvent event) {
            endpoints.forEach(WebhookEndpoint::close);
            endpoints.clear();
          }
        });
  }

  /**
   * Has {@code endpoint} stopped with the application of {@code context}; where the container did
   * not start this initializer (an embedded server that runs none), says that its threads stop only
   * with the JVM.
   */
  static void stopWithApplication(ServletContext context, WebhookEndpoint endpoint) {
    if (context.getAttribute(ENDPOINTS_ATTRIBUTE) instanceof List<?> endpoints) {
      @SuppressWarnings("unchecked")
      List<WebhookEndpoint> registered = (List<WebhookEndpoint>) endpoints;
      registered.add(endpoint);
    } else {
      LOG.log(
          Level.INFO,
          "{0}: the container ran no ServletContainerInitializer of this jar, so the endpoint''s"
              + " threads stop with the JVM, not with the application",
          endpoint);
    }
  }
}
