// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import dev.stripewebhook.ConfigSource;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.jaxrs.internal.CompleteDelivery;
import dev.stripewebhook.jaxrs.internal.RejectionMapper;
import dev.stripewebhook.jaxrs.internal.UnmappedFailureMapper;
import dev.stripewebhook.jaxrs.internal.Verification;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.util.Objects;

/**
 * Enables {@link StripeEvent} parameters and {@link VerifyStripeSignature} in a JAX-RS application.
 *
 * <h2>Installation</h2>
 *
 * <pre>{@code
 * // Jersey
 * new ResourceConfig(StripeWebhookResource.class).register(StripeWebhookFeature.class);
 * // any runtime: Application#getClasses() returns StripeWebhookFeature.class
 * }</pre>
 *
 * On WildFly (RESTEasy), an application without {@code getClasses()} finds the feature by scanning:
 * it is a {@code @Provider}.
 *
 * <h2>Configuration</h2>
 *
 * The keys of {@link WebhookConfig}, read from the application's properties, the servlet context
 * params, system properties and the environment, first wins; or pass a {@link WebhookConfig} to the
 * constructor. Invalid values fail the application at start-up. A secret is needed only where
 * requests do not pass {@link dev.stripewebhook.servlet.StripeWebhookFilter} first: when none is
 * found at start-up, the first such request is answered 500 ({@code not-configured}) and logged.
 *
 * <h2>Answers</h2>
 *
 * The feature is a door of a {@link dev.stripewebhook.pipeline.WebhookEndpoint}, and answers as
 * every door does (see the README's status table): 400 with the verification reason, 403 outside
 * {@code stripe.webhook.allowed-ips}, 408 or 413 for a slow or too large body, 500 when a CDI
 * observer or the resource method fails (without the exception's text), 503 when the event inbox is
 * unavailable, each as {@code application/problem+json}; 200 {@code {"received":true}} for a
 * redelivery of an event already done, without calling the resource method.
 *
 * <h2>The event inbox</h2>
 *
 * Behind {@link dev.stripewebhook.servlet.StripeWebhookFilter}, the resource method runs inside the
 * filter's claim of the event. Alone, a delivery goes through the endpoint that the filter running
 * in the same application publishes under the configured endpoint name (unless the feature was
 * given a configuration of its own), or else through one made from the configuration. When that
 * endpoint has handlers of its own, they and the CDI observers process the event once per event id,
 * and the resource method runs after. Otherwise the observers that want the event and then the
 * resource method are the processing, inside one claim of the event: the event is marked done when
 * the method answers 2xx and failed otherwise before that answer leaves (a done mark that cannot be
 * recorded is answered 503, never 2xx), and a concurrent delivery of the same event waits for that
 * outcome. Their writes do not join the done mark's transaction. An exception no mapper of the
 * application maps is answered 500 without its text.
 *
 * @since 0.1
 */
@Provider
public final class StripeWebhookFeature implements Feature {
  private final WebhookConfig config;

  /** Configured from the documented sources. */
  public StripeWebhookFeature() {
    this.config = null;
  }

  /** Configured with {@code config}. */
  public StripeWebhookFeature(WebhookConfig config) {
    this.config = Objects.requireNonNull(config, "config == null");
  }

  @Override
  public boolean configure(FeatureContext context) {
    Verification verification =
        config != null
            ? Verification.of(config)
            : Verification.fromSources(
                ConfigSource.of(
                    key -> {
                      Object value = context.getConfiguration().getProperty(key);
                      return value == null ? null : value.toString();
                    },
                    () -> context.getConfiguration().getPropertyNames()));
    context.register(new StripeEventReader(verification));
    context.register(new VerifySignatureFilter(verification));
    context.register(new CompleteDelivery(verification));
    context.register(RejectionMapper.class);
    context.register(UnmappedFailureMapper.class);
    return true;
  }
}
