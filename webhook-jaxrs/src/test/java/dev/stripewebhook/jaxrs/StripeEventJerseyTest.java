// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/** Jersey 3.1 with Jackson (auto-discovered) and Weld Servlet. */
class StripeEventJerseyTest extends AbstractStripeEventTest {

  @Override
  void addJaxrs(ServletContextHandler context) {
    context.addServlet(
        new ServletHolder(new ServletContainer(ResourceConfig.forApplication(new ITApplication()))),
        "/api/*");
    context.addServlet(
        new ServletHolder(new ServletContainer(ResourceConfig.forApplication(new ITApplication()))),
        "/filtered/*");
  }
}
