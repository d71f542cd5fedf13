// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import dev.stripewebhook.WebhookConfig;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** The JAX-RS application of the tests: the resource and the feature with its own secret. */
public class ITApplication extends Application {
  static final String FEATURE_SECRET = "whsec_feature_only";
  static final int MAX_BODY = 64 * 1024;

  @Override
  public Set<Class<?>> getClasses() {
    return Set.of(WebhookITResource.class);
  }

  @Override
  @SuppressWarnings("deprecation") // the feature instance needs its config: a singleton
  public Set<Object> getSingletons() {
    return Set.of(
        new StripeWebhookFeature(
            WebhookConfig.builder().secrets(FEATURE_SECRET).maxBody(MAX_BODY).build()));
  }
}
