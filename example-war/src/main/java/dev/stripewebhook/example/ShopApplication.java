// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import dev.stripewebhook.jaxrs.StripeWebhookFeature;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** The shop's JAX-RS application, under {@code /api} (see web.xml). */
public class ShopApplication extends Application {

  @Override
  public Set<Class<?>> getClasses() {
    return Set.of(StripeWebhookResource.class, ShopResource.class, StripeWebhookFeature.class);
  }
}
