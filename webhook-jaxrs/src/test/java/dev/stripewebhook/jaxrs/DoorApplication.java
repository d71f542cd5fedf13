// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import dev.stripewebhook.WebhookConfig;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** The JAX-RS application of the JAX-RS doors: {@link DoorResource} and the feature. */
public class DoorApplication extends Application {
  private final WebhookConfig config;

  DoorApplication(WebhookConfig config) {
    this.config = config;
  }

  @Override
  public Set<Class<?>> getClasses() {
    return Set.of(DoorResource.class);
  }

  @Override
  @SuppressWarnings("deprecation") // the feature instance needs its config: a singleton
  public Set<Object> getSingletons() {
    return Set.of(new StripeWebhookFeature(config));
  }
}
