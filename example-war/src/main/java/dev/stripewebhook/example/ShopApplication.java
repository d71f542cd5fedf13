// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import dev.stripewebhook.jaxrs.StripeWebhookFeature;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * The shop's JAX-RS application, under {@code /api}. Declared by annotation rather than as a Jersey
 * servlet in web.xml, so that the same WAR runs on any JAX-RS runtime: Jersey bundled in the WAR on
 * Jetty and Tomcat, the server's RESTEasy on WildFly.
 */
@ApplicationPath("/api")
public class ShopApplication extends Application {

  @Override
  public Set<Class<?>> getClasses() {
    return Set.of(StripeWebhookResource.class, ShopResource.class, StripeWebhookFeature.class);
  }
}
