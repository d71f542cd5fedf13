// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;

/** RESTEasy 6.2 with its Jackson provider (registered through META-INF/services) and Weld. */
class StripeEventResteasyTest extends AbstractStripeEventTest {

  @Override
  void addJaxrs(ServletContextHandler context) {
    for (String prefix : new String[] {"/api", "/filtered"}) {
      ServletHolder holder = new ServletHolder(new HttpServlet30Dispatcher());
      holder.setInitParameter("jakarta.ws.rs.Application", ITApplication.class.getName());
      holder.setInitParameter("resteasy.servlet.mapping.prefix", prefix);
      context.addServlet(holder, prefix + "/*");
    }
  }
}
