// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import dev.stripewebhook.it.probe.DeliveriesITObserver;
import java.io.File;
import java.util.List;
import org.jboss.shrinkwrap.api.ArchivePath;
import org.jboss.shrinkwrap.api.Filters;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The example WAR as each container takes it, plus the probe that counts deliveries.
 *
 * <p>Tomcat and Jetty get the WAR as built: Jersey, Weld and their APIs are bundled, because
 * these servers have no JAX-RS or CDI. WildFly gets the same classes and descriptors with only
 * the library, stripe-java and Gson left in {@code WEB-INF/lib}: its RESTEasy and Weld serve the
 * application, and a bundled Jersey or Weld would fight them (STACK.md, part B).
 */
public final class ShopDeployment {
  /** The archive name, hence the context path {@code /shop}. */
  public static final String NAME = "shop.war";

  /** What a full Jakarta EE server still needs in {@code WEB-INF/lib}. */
  private static final List<String> LIBRARY_JARS =
      List.of("stripe-webhook-filter-", "stripe-webhook-jaxrs-", "stripe-java-", "gson-");

  private ShopDeployment() {}

  /** The deployment for the container of this test run (system property {@code it.bundle}). */
  public static WebArchive create() {
    String built = System.getProperty("it.exampleWar");
    if (built == null || !new File(built).isFile()) {
      throw new IllegalStateException("it.exampleWar is " + built
          + ": run the tests through Maven (mvn verify), which builds example-war first");
    }
    WebArchive war = ShrinkWrap.create(WebArchive.class, NAME)
        .merge(ShrinkWrap.createFromZipFile(WebArchive.class, new File(built)));
    if ("none".equals(System.getProperty("it.bundle", "jaxrs-cdi"))) {
      war.getContent(Filters.include("/WEB-INF/lib/.*\\.jar")).keySet().stream()
          .filter(jar -> LIBRARY_JARS.stream().noneMatch(name(jar)::startsWith))
          .forEach(war::delete);
    }
    return war.addPackage(DeliveriesITObserver.class.getPackage());
  }

  private static String name(ArchivePath path) {
    String full = path.get();
    return full.substring(full.lastIndexOf('/') + 1);
  }
}
