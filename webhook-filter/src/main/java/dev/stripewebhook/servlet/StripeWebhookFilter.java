// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import dev.stripewebhook.EventHandlerException;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookVerificationException;
import dev.stripewebhook.cdi.internal.CdiLookup;
import com.stripe.model.Event;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * Verifies Stripe webhook deliveries on their raw bytes before anything else reads them, then
 * hands the verified event to handlers or to the servlet or JAX-RS resource behind it.
 *
 * <h2>Installation</h2>
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>stripe-webhook</filter-name>
 *   <filter-class>dev.stripewebhook.servlet.StripeWebhookFilter</filter-class>
 *   <!-- optional: handlers by class name; otherwise META-INF/services, or the chain goes on -->
 *   <init-param>
 *     <param-name>stripe.webhook.handlers</param-name>
 *     <param-value>com.example.InvoiceHandler</param-value>
 *   </init-param>
 * </filter>
 * <filter-mapping>
 *   <filter-name>stripe-webhook</filter-name>
 *   <url-pattern>/webhooks/stripe</url-pattern>
 * </filter-mapping>
 * }</pre>
 *
 * and the signing secret in the environment: {@code STRIPE_WEBHOOK_SECRET=whsec_...}. Embedded
 * servers can pass a {@link WebhookConfig} and {@link EventHandlers} to the constructor instead.
 *
 * <h2>Configuration</h2>
 *
 * The keys of {@link WebhookConfig}, read from the filter's init-params, then the context params,
 * system properties and environment, first wins. A missing or invalid value fails the
 * deployment at start-up with one line naming the key.
 *
 * <h2>Usage</h2>
 *
 * For each request: anything but POST is answered 405; a client address outside {@value
 * WebhookConfig.Keys#ALLOWED_IPS} 403, before the body is read; a body over the limit 413,
 * without being buffered; a failed verification, or an event the mode and account rules refuse,
 * 400 with the reason code. A verified delivery is then:
 *
 * <ul>
 *   <li>dispatched to the handlers whose types match and to the CDI observers that want it (see
 *       {@link dev.stripewebhook.cdi.StripeEventType}), in the request; when one throws, it is
 *       answered 500, so that Stripe retries;
 *   <li>then, with handlers configured, or with no servlet mapped behind the filter, answered 200;
 *   <li>otherwise passed down the chain with a request that replays the same bytes from {@code
 *       getInputStream()} and {@code getReader()}: the servlet or JAX-RS resource behind reads
 *       the event with {@link #verifiedEvent(ServletRequest)} and its status is the answer.
 * </ul>
 *
 * Error answers are {@code application/problem+json} with a {@code reason} member.
 *
 * @since 0.1
 */
public class StripeWebhookFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger(StripeWebhookFilter.class.getName());

  /** The request attribute holding the {@link VerifiedEvent}: {@value}. */
  public static final String EVENT_ATTRIBUTE = "dev.stripewebhook.event";

  /**
   * A request attribute set when the filter has run the handlers and CDI observers for the
   * request's event, so that nothing behind it (a JAX-RS {@code @StripeEvent} parameter) runs
   * them again: {@value}.
   */
  public static final String DISPATCHED_ATTRIBUTE = "dev.stripewebhook.dispatched";

  private static final String INSTALLED_ATTRIBUTE = "dev.stripewebhook.filter.installed";
  private static final String ERROR_NOT_INSTALLED = "No verified Stripe event:"
      + " StripeWebhookFilter is not installed. See the Installation section of its Javadoc.";
  private static final String ERROR_NOT_RUN = "No verified Stripe event on this request:"
      + " StripeWebhookFilter has not run for it. Map the filter to this URL.";

  private transient WebhookConfig config;
  private transient EventHandlers handlers;
  private transient boolean answersItself;
  private transient SignatureVerifier verifier;
  private transient BoundedBodyReader bodyReader;
  private transient ClientAddresses clientAddresses;

  /** For {@code web.xml}: configured from init-params and the other documented sources. */
  public StripeWebhookFilter() {}

  /**
   * For embedded servers: this configuration and these handlers (may be none), plus the CDI
   * observers of Stripe events when a CDI container runs.
   */
  public StripeWebhookFilter(WebhookConfig config, EventHandlers handlers) {
    this.config = Objects.requireNonNull(config, "config == null");
    this.handlers = Objects.requireNonNull(handlers, "handlers == null");
  }

  @Override
  public void init() throws ServletException {
    ServletContext context = getServletContext();
    try {
      if (config == null) {
        config = WebhookConfig.fromSources(this::getInitParameter, context::getInitParameter,
            System::getProperty, System::getenv);
      }
      if (handlers == null) {
        ClassLoader loader = applicationClassLoader();
        handlers = EventHandlers.builder()
            .instantiate(config.handlerClassNames(), loader)
            .loadServices(loader)
            .build();
      }
      clientAddresses = ClientAddresses.from(config);
      answersItself = !handlers.isEmpty();
      var observers = CdiLookup.observers(applicationClassLoader());
      if (observers.isPresent()) {
        handlers = EventHandlers.builder().addAll(handlers.all()).add(observers.get()).build();
      }
    } catch (RuntimeException e) {
      throw new ServletException("StripeWebhookFilter '" + getFilterName() + "' cannot start: "
          + e.getMessage());
    }
    verifier = SignatureVerifier.create(config);
    bodyReader = new BoundedBodyReader(config.maxBodySize());
    context.setAttribute(INSTALLED_ATTRIBUTE, Boolean.TRUE);
    LOG.log(Level.INFO, "StripeWebhookFilter ''{0}'' ready: {1}", getFilterName(),
        handlers.isEmpty() ? "no handlers, verified requests go down the chain"
            : handlers + (answersItself ? "" : ", then down the chain"));
  }

  /** During init the containers set the web application's loader as the context loader. */
  private ClassLoader applicationClassLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : StripeWebhookFilter.class.getClassLoader();
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    if (!"POST".equals(request.getMethod())) {
      ProblemResponses.methodNotAllowed(response, request.getMethod());
      return;
    }
    if (!clientAddresses.allowed(request)) {
      LOG.log(Level.DEBUG, "Stripe webhook refused: client address {0} is not allowed",
          clientAddresses.client(request));
      ProblemResponses.forbidden(response);
      return;
    }
    byte[] body;
    VerifiedEvent event;
    try {
      body = bodyReader.read(request);
      event = verifier.verify(body, request.getHeader(SignatureVerifier.SIGNATURE_HEADER));
    } catch (BodyTooLargeException e) {
      ProblemResponses.tooLarge(response, e.getMessage());
      return;
    } catch (BodyConsumedException e) {
      LOG.log(Level.ERROR, "StripeWebhookFilter ''{0}'': {1}", getFilterName(), e.getMessage());
      ProblemResponses.bodyConsumed(response);
      return;
    } catch (WebhookVerificationException e) {
      LOG.log(Level.DEBUG, "Stripe webhook rejected: {0}: {1}", e.reason().code(),
          e.getMessage());
      ProblemResponses.verificationFailed(response, e.reason().code(), e.getMessage());
      return;
    }
    request.setAttribute(EVENT_ATTRIBUTE, event);
    int ran = 0;
    if (!handlers.isEmpty()) {
      try {
        ran = handlers.dispatch(event);
      } catch (EventHandlerException e) {
        LOG.log(Level.ERROR, e.getMessage() + "; answered 500 so that Stripe retries");
        LOG.log(Level.DEBUG, "Stack trace of the failure of " + event.id(), e.getCause());
        ProblemResponses.handlerFailed(response);
        return;
      }
      request.setAttribute(DISPATCHED_ATTRIBUTE, Boolean.TRUE);
    }
    if (!answersItself && !nothingMappedBehind(request)) {
      chain.doFilter(new CachedBodyRequest(request, body), response);
      return;
    }
    if (ran == 0 && event.isThin()) {
      LOG.log(Level.INFO, "Thin event notification {0} ({1}) acknowledged: no handler is"
          + " registered for its type", event.id(), event.type());
    }
    ProblemResponses.received(response);
  }

  /** Only the container's default servlet is behind: it would answer a POST with 404 or 405. */
  private static boolean nothingMappedBehind(HttpServletRequest request) {
    return request.getHttpServletMapping() != null
        && request.getHttpServletMapping().getMappingMatch() == MappingMatch.DEFAULT;
  }

  /**
   * The verified delivery on this request.
   *
   * @throws IllegalStateException when the filter is not installed or has not run for this
   *     request; the message tells the two apart
   */
  public static VerifiedEvent verifiedEvent(ServletRequest request) {
    Object event = request.getAttribute(EVENT_ATTRIBUTE);
    if (event instanceof VerifiedEvent verified) {
      return verified;
    }
    boolean installed = request.getServletContext().getAttribute(INSTALLED_ATTRIBUTE) != null;
    throw new IllegalStateException(installed ? ERROR_NOT_RUN : ERROR_NOT_INSTALLED);
  }

  /** The stripe-java event of the verified delivery on this request, built on first use. */
  public static Event event(ServletRequest request) {
    return verifiedEvent(request).event();
  }

  /** The configuration in force, once {@link #init()} has run. */
  public WebhookConfig config() {
    return config;
  }
}
