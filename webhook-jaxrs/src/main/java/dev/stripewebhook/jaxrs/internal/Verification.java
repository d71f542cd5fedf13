// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import dev.stripewebhook.ConfigSource;
import dev.stripewebhook.Reason;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.pipeline.Decision;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.pipeline.WebhookEndpoint.Admission;
import dev.stripewebhook.servlet.ServletDelivery;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The JAX-RS door of a {@link WebhookEndpoint}: what the providers share.
 *
 * <p>A delivery that {@link StripeWebhookFilter} verified in front is the filter's: the providers
 * only hand its event to the resource method, which runs inside the filter's claim. Otherwise the
 * delivery goes through {@link WebhookEndpoint#admit}: the endpoint the filter running in this
 * application publishes under the configured endpoint name, or else one of the door's own, made
 * from the configuration. The endpoint's answer replaces the resource method's when it decided (a
 * refusal, a duplicate, an event stored for the workers); otherwise the resource method runs, after
 * the CDI observers that want the event, or as the event's processing inside its claim, and {@link
 * CompleteDelivery} hands its status back to the endpoint before it is answered.
 */
public final class Verification {
  private static final System.Logger LOG = System.getLogger(Verification.class.getName());

  /** The request attribute holding the admission to complete after the resource: {@value}. */
  static final String ADMISSION_ATTRIBUTE = "dev.stripewebhook.jaxrs.admission";

  private final ConfigSource applicationProperties;
  private final WebhookConfig given;
  private volatile WebhookEndpoint own;
  private volatile String publishedAttribute;

  private Verification(WebhookConfig given, ConfigSource applicationProperties) {
    this.given = given;
    this.applicationProperties = applicationProperties;
  }

  /** The door of an endpoint with {@code config}. */
  public static Verification of(WebhookConfig config) {
    return new Verification(config, ConfigSource.of(Map.of()));
  }

  /**
   * A door configured from the application's properties, the servlet context params, system
   * properties and the environment, resolved at the first request that needs it.
   */
  public static Verification fromSources(ConfigSource applicationProperties) {
    return new Verification(null, applicationProperties);
  }

  /** The delivery {@link StripeWebhookFilter} (or an earlier provider) verified, or null. */
  public static VerifiedEvent verified(HttpServletRequest request) {
    if (request == null) {
      return null;
    }
    try {
      return (VerifiedEvent) request.getAttribute(StripeWebhookFilter.EVENT_ATTRIBUTE);
    } catch (IllegalStateException e) {
      return null; // an injected proxy outside a servlet request
    }
  }

  /**
   * Takes a delivery nothing verified yet through the endpoint.
   *
   * @throws WebhookRejection with the endpoint's decision when the resource method must not run
   */
  public VerifiedEvent admit(HttpServletRequest request, InputStream entity) {
    if (request == null) {
      LOG.log(
          Level.ERROR,
          "StripeWebhookFeature needs a servlet container: without the servlet"
              + " request it cannot apply the endpoint's address rules or keep the delivery's state");
      throw WebhookRejection.of(
          Reason.NOT_CONFIGURED,
          "The webhook endpoint cannot verify" + " requests here; see the server log.");
    }
    WebhookEndpoint endpoint = endpoint(request);
    Admission admission = endpoint.admit(ServletDelivery.of(request, entity));
    if (admission.decision().isPresent()) {
      throw new WebhookRejection(admission.decision().get());
    }
    VerifiedEvent event = admission.event().orElseThrow();
    request.setAttribute(StripeWebhookFilter.EVENT_ATTRIBUTE, event);
    request.setAttribute(StripeWebhookFilter.DISPATCHED_ATTRIBUTE, Boolean.TRUE);
    request.setAttribute(ADMISSION_ATTRIBUTE, new Pending(endpoint, admission));
    return event;
  }

  private record Pending(WebhookEndpoint endpoint, Admission admission) {}

  /**
   * After the resource method: its status goes back to the endpoint, which records the event done
   * or failed when the method was its processing; when that cannot be recorded, the endpoint's
   * refusal replaces the method's answer (Stripe must not get a 2xx then).
   */
  void complete(HttpServletRequest request, ContainerResponseContext response) {
    if (!(request.getAttribute(ADMISSION_ATTRIBUTE) instanceof Pending pending)) {
      return;
    }
    request.removeAttribute(ADMISSION_ATTRIBUTE);
    Decision decision = pending.endpoint.complete(pending.admission, response.getStatus());
    if (!decision.processingAnswers()) {
      response.setStatus(decision.status());
      response.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, decision.contentType());
      response.setEntity(
          decision.body(),
          new java.lang.annotation.Annotation[0],
          MediaType.valueOf(decision.contentType()));
    }
  }

  /**
   * The endpoint of the filter running in this application under the configured name, unless the
   * feature was given a configuration of its own; else one of the door's own.
   */
  WebhookEndpoint endpoint(HttpServletRequest request) {
    ServletContext context = request.getServletContext();
    // A feature given its own configuration is its own endpoint; one configured from the
    // application's sources shares the filter's endpoint of its name, inbox and handlers.
    if (given == null
        && context.getAttribute(publishedAttribute(context)) instanceof WebhookEndpoint published) {
      return published;
    }
    WebhookEndpoint endpoint = own;
    if (endpoint != null) {
      return endpoint;
    }
    // One lock for every door of the application: two JAX-RS applications whose first requests
    // come at once must not each build an endpoint of the same name; the second finds the first's.
    synchronized (Verification.class) {
      if (own == null) {
        if (given == null
            && context.getAttribute(publishedAttribute(context))
                instanceof WebhookEndpoint published) {
          return published;
        }
        own = build(context);
      }
      return own;
    }
  }

  /**
   * The context attribute a filter publishes this door's endpoint under; its name is resolved from
   * the sources once, not on every request.
   */
  private String publishedAttribute(ServletContext context) {
    String attribute = publishedAttribute;
    if (attribute == null) {
      attribute = StripeWebhookFilter.ENDPOINT_ATTRIBUTE_PREFIX + endpointName(context);
      publishedAttribute = attribute;
    }
    return attribute;
  }

  private String endpointName(ServletContext context) {
    String key = WebhookConfig.Keys.ENDPOINT;
    for (ConfigSource source : sources(context)) {
      for (String name : List.of(key, WebhookConfig.Keys.environmentName(key))) {
        String value = source.value(name);
        if (value != null && !value.isBlank()) {
          return value.trim();
        }
      }
    }
    return WebhookConfig.Keys.defaultValue(key).orElseThrow();
  }

  /** The documented sources, first wins: application, context params, JVM, environment. */
  private List<ConfigSource> sources(ServletContext context) {
    return List.of(
        applicationProperties,
        ConfigSource.of(
            context::getInitParameter, () -> Collections.list(context.getInitParameterNames())),
        ConfigSource.systemProperties(),
        ConfigSource.environment());
  }

  private WebhookEndpoint build(ServletContext context) {
    ClassLoader loader = Verification.class.getClassLoader();
    try {
      WebhookConfig config =
          given != null
              ? given
              : WebhookConfig.fromSources(sources(context).toArray(ConfigSource[]::new));
      Object dataSource = context.getAttribute(StripeWebhookFilter.DATASOURCE_ATTRIBUTE);
      WebhookEndpoint endpoint =
          WebhookEndpoint.builder(config)
              .cdiObservers(loader)
              .dataSource(dataSource instanceof DataSource found ? found : null)
              .meterRegistry(context.getAttribute(StripeWebhookFilter.METER_REGISTRY_ATTRIBUTE))
              .stripeClient(StripeWebhookFilter.stripeClient(context))
              .classLoader(loader)
              .label("StripeWebhookFeature (endpoint '" + config.processing().endpoint() + "')")
              .build();
      // Its workers or inbox pruning, and its alert checks, as a filter's endpoint has them.
      endpoint.start();
      DoorLifecycle.stopWithApplication(context, endpoint);
      // Published as a filter's endpoint is, unless one has the name: the admin console lists it.
      String attribute = StripeWebhookFilter.ENDPOINT_ATTRIBUTE_PREFIX + endpoint.name();
      if (context.getAttribute(attribute) == null) {
        context.setAttribute(attribute, endpoint);
      }
      LOG.log(Level.INFO, "{0} ready", endpoint);
      return endpoint;
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "StripeWebhookFeature cannot verify requests: " + e.getMessage());
      throw WebhookRejection.of(
          Reason.NOT_CONFIGURED,
          "The webhook endpoint has no valid" + " configuration; see the server log.");
    }
  }
}
