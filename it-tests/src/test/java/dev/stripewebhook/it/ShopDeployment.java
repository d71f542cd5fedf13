// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import dev.stripewebhook.it.probe.DeliveriesITObserver;
import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The example WAR the build made for the container under test, unchanged, plus the test-only probe
 * that counts deliveries ({@link DeliveriesITObserver}).
 *
 * <p>Which WAR comes from the failsafe execution (system property {@code it.exampleWar}): Tomcat
 * and Jetty get {@code example-war.war}, with Jersey, Weld and their APIs bundled, because these
 * servers have neither; WildFly gets {@code example-war-wildfly.war}, the same classes and
 * descriptors with only the library, stripe-java and Gson in {@code WEB-INF/lib}, because its
 * RESTEasy and Weld serve the application and a bundled Jersey or Weld would fight them.
 *
 * <p>The deployment also declares the shop's database as a container DataSource, the way the README
 * tells users to: {@code META-INF/context.xml} for Tomcat, {@code WEB-INF/shop-ds.xml} for WildFly
 * (each server ignores the other's file). On Jetty the example's own embedded H2 file is used.
 */
public final class ShopDeployment {
  /** The archive name, hence the context path {@code /shop}. */
  public static final String NAME = "shop.war";

  private ShopDeployment() {}

  /** The deployment for the container of this test run. */
  public static WebArchive create() {
    String built = System.getProperty("it.exampleWar");
    if (built == null || !new File(built).isFile()) {
      throw new IllegalStateException(
          "it.exampleWar is "
              + built
              + ": run the tests through Maven (mvn verify), which builds example-war first");
    }
    return ShrinkWrap.create(WebArchive.class, NAME)
        .merge(ShrinkWrap.createFromZipFile(WebArchive.class, new File(built)))
        .addPackage(DeliveriesITObserver.class.getPackage())
        // the container DataSource of the shop and its inbox: each server reads only its own
        .addAsManifestResource("deployment/context.xml", "context.xml")
        .addAsWebInfResource("deployment/shop-ds.xml", "shop-ds.xml");
  }
}
