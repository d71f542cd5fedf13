// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it.jetty;

import dev.stripewebhook.it.ShopClient;
import dev.stripewebhook.it.ShopDeployment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The example WAR (Jersey and Weld bundled) on an embedded Jetty 12 {@link WebAppContext}, on a
 * free loopback port, for the test class that registers it.
 *
 * <p>Not Arquillian: its only Jetty 12 adapter (2.0.0.Final) hides start-up failures behind an NPE
 * and scans the application through the test's class loader (STACK.md, part B, section 6). Here the
 * application has its own {@code WebAppClassLoader} over the exported WAR. Jetty looks for {@code
 * jakarta.*} in the parent loader first, so the failsafe execution keeps the CDI and JAX-RS APIs
 * off the test classpath: they come from the WAR, beside Weld and Jersey. The signing secret is a
 * system property of this JVM, which is Jetty's.
 */
public final class JettyShop implements BeforeAllCallback, AfterAllCallback {
  private Server server;
  private ShopClient client;

  private Path war;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    war = Path.of("target", "jetty", ShopDeployment.NAME);
    Files.createDirectories(war.getParent());
    ShopDeployment.create().as(ZipExporter.class).exportTo(war.toFile(), true);
    int port = start(0);
    client = new ShopClient(URI.create("http://127.0.0.1:" + port + "/shop/"));
  }

  /** Starts a server with the WAR on {@code port} (0: a free one); returns the port. */
  private int start(int port) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/shop");
    webapp.setWar(war.toAbsolutePath().toString());
    // Runs the initializers in WEB-INF/lib: Weld's listener and Jersey's @ApplicationPath scan.
    webapp.addConfiguration(new AnnotationConfiguration());
    webapp.setThrowUnavailableOnStartupException(true);
    server.setHandler(webapp);
    server.start();
    return connector.getLocalPort();
  }

  /**
   * Stops the server and starts a new one on the same port with the same WAR: a new class loader, a
   * new CDI container, the same database.
   */
  public void restart() throws Exception {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    server.stop();
    start(port);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  /** A client for the running shop. */
  public ShopClient client() {
    return client;
  }
}
