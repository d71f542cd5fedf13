// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import com.stripe.StripeClient;
import com.stripe.model.Event;
import dev.stripewebhook.ConfigSource;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.Reason;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.StoredEventProcessor;
import dev.stripewebhook.pipeline.Decision;
import dev.stripewebhook.pipeline.PassDown;
import dev.stripewebhook.pipeline.WebhookEndpoint;
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
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Verifies Stripe webhook deliveries on their raw bytes before anything else reads them, then hands
 * the verified event to handlers or to the servlet or JAX-RS resource behind it.
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
 * system properties and environment, first wins. A missing or invalid value fails the deployment at
 * start-up with one line naming the key.
 *
 * <h2>Usage</h2>
 *
 * The filter is a thin door over a {@link WebhookEndpoint}, which decides every answer (see there):
 * anything but POST 405; a client outside {@value WebhookConfig.Keys#ALLOWED_IPS} 403; a body over
 * the limit 413, one slower than {@value WebhookConfig.Keys#BODY_TIMEOUT} 408; a failed
 * verification, or an event the mode and account rules refuse, 400 with the reason code; an event
 * the inbox cannot store 503; an event already done 200 at once. Otherwise, in {@code sync}
 * processing, the handlers and the CDI observers that want it run inside the event's claim (a
 * failure: 500, so that Stripe retries); without handlers of its own, after the observers, the
 * request goes down the chain with a request that replays the same bytes from {@code
 * getInputStream()} and {@code getReader()}: the servlet or JAX-RS resource behind reads the event
 * with {@link #verifiedEvent(ServletRequest)}, and its status decides (2xx done, anything else
 * failed). Its answer is held until the inbox has recorded the outcome. A delivery of an event
 * another delivery is processing waits for that outcome ({@value
 * WebhookConfig.Keys#IN_PROGRESS_WAIT}). In {@code async} processing ({@value
 * WebhookConfig.Keys#PROCESSING}), a stored event is answered 200 at once and worker threads run
 * the handlers, retrying with backoff until {@value WebhookConfig.Keys#ATTEMPTS} attempts, after
 * which the event is {@code dead} (kept, replayable).
 *
 * <p>Each filter is one endpoint, named by {@value WebhookConfig.Keys#ENDPOINT} ({@code default}
 * unless set): two filters in one application (a platform and a Connect endpoint) need a name each,
 * and each publishes its endpoint as the servlet context attribute {@value
 * #ENDPOINT_ATTRIBUTE_PREFIX}{@code <name>}.
 *
 * <p>Handlers, or the servlet through the request attribute {@value #HANDLING_CONTEXT_ATTRIBUTE},
 * get a {@link HandlingContext}: with a DataSource, writes through its connection commit with the
 * event's done mark. Error answers are {@code application/problem+json} with a {@code reason}
 * member.
 *
 * @since 0.1
 */
public class StripeWebhookFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger(StripeWebhookFilter.class.getName());

  /** The request attribute holding the {@link VerifiedEvent}: {@value}. */
  public static final String EVENT_ATTRIBUTE = "dev.stripewebhook.event";

  /**
   * The request attribute holding the {@link HandlingContext} while the servlet behind the filter
   * processes the event (no handlers, sync processing): {@value}.
   */
  public static final String HANDLING_CONTEXT_ATTRIBUTE = "dev.stripewebhook.handling-context";

  /**
   * A request attribute set when the filter has run the handlers and CDI observers for the
   * request's event, so that nothing behind it (a JAX-RS {@code @StripeEvent} parameter) runs them
   * again: {@value}.
   */
  public static final String DISPATCHED_ATTRIBUTE = "dev.stripewebhook.dispatched";

  /**
   * A servlet context attribute an application may set, before the filter starts, to the Micrometer
   * {@code MeterRegistry} the filter records into; without it, Micrometer's global registry (when
   * Micrometer is on the class path): {@value}.
   */
  public static final String METER_REGISTRY_ATTRIBUTE = "dev.stripewebhook.meter-registry";

  /**
   * The servlet context attribute a {@code ServletContextListener} may set to a {@link DataSource}
   * for the JDBC inbox, when the application builds its own pool rather than naming one in JNDI
   * with {@value WebhookConfig.Keys#DATASOURCE} (which wins): {@value}.
   */
  public static final String DATASOURCE_ATTRIBUTE = "dev.stripewebhook.datasource";

  /**
   * A servlet context attribute an application may set, before the filter (or the JAX-RS feature)
   * starts, to the {@code com.stripe.StripeClient} its thin notifications are bound to and fetch
   * with, instead of one built from {@value WebhookConfig.Keys#API_KEY}: a client with its own
   * proxy or timeouts, or, in tests, one whose API base is a local server: {@value}.
   */
  public static final String STRIPE_CLIENT_ATTRIBUTE = "dev.stripewebhook.stripe-client";

  /**
   * The servlet context attribute that holds the {@link WebhookConfig} of the endpoint named {@code
   * default} (or of the only endpoint), for other parts of the application: {@value}.
   */
  public static final String CONFIG_ATTRIBUTE = "dev.stripewebhook.config";

  /**
   * The prefix of the servlet context attributes that hold each running endpoint, by name:
   * {@value}{@code <name>} is a {@link WebhookEndpoint}.
   */
  public static final String ENDPOINT_ATTRIBUTE_PREFIX = "dev.stripewebhook.endpoint.";

  /** The logger of the one line per delivery: {@value}. */
  public static final String DELIVERY_LOGGER = WebhookEndpoint.DELIVERY_LOGGER;

  /** The logger of debug mode: {@value}. */
  public static final String DEBUG_LOGGER = WebhookEndpoint.DEBUG_LOGGER;

  private static final String INSTALLED_ATTRIBUTE = "dev.stripewebhook.filter.installed";
  private static final String ERROR_NOT_INSTALLED =
      "No verified Stripe event:"
          + " StripeWebhookFilter is not installed. See the Installation section of its Javadoc.";
  private static final String ERROR_NOT_RUN =
      "No verified Stripe event on this request:"
          + " StripeWebhookFilter has not run for it. Map the filter to this URL.";

  private transient WebhookConfig config;
  private transient EventHandlers handlers;
  private transient EventInbox inbox;
  private transient WebhookEndpoint endpoint;
  private final AtomicBoolean warnedAsync = new AtomicBoolean();

  /** For {@code web.xml}: configured from init-params and the other documented sources. */
  public StripeWebhookFilter() {}

  /**
   * For embedded servers: this configuration and these handlers (may be none), plus the CDI
   * observers of Stripe events when a CDI container runs, with the inbox the configuration names
   * (in memory unless {@value WebhookConfig.Keys#DATASOURCE} is set).
   */
  public StripeWebhookFilter(WebhookConfig config, EventHandlers handlers) {
    this.config = Objects.requireNonNull(config, "config == null");
    this.handlers = Objects.requireNonNull(handlers, "handlers == null");
  }

  /** For embedded servers: this configuration, these handlers and this inbox. */
  public StripeWebhookFilter(WebhookConfig config, EventHandlers handlers, EventInbox inbox) {
    this(config, handlers);
    this.inbox = Objects.requireNonNull(inbox, "inbox == null");
  }

  @Override
  public void init() throws ServletException {
    ServletContext context = getServletContext();
    ClassLoader loader = applicationClassLoader();
    try {
      if (config == null) {
        config =
            WebhookConfig.fromSources(
                ConfigSource.of(
                    this::getInitParameter, () -> Collections.list(getInitParameterNames())),
                ConfigSource.of(
                    context::getInitParameter,
                    () -> Collections.list(context.getInitParameterNames())),
                ConfigSource.systemProperties(),
                ConfigSource.environment());
      }
      if (handlers == null) {
        handlers =
            EventHandlers.builder()
                .instantiate(config.processing().handlers(), loader)
                .loadServices(loader)
                .build();
      }
      Object dataSource = context.getAttribute(DATASOURCE_ATTRIBUTE);
      if (dataSource != null && !(dataSource instanceof DataSource)) {
        throw new IllegalArgumentException(
            "servlet context attribute "
                + DATASOURCE_ATTRIBUTE
                + " is a "
                + dataSource.getClass().getName()
                + ", not a javax.sql.DataSource");
      }
      endpoint =
          WebhookEndpoint.builder(config)
              .handlers(handlers)
              .cdiObservers(loader)
              .inbox(inbox)
              .dataSource((DataSource) dataSource)
              .meterRegistry(context.getAttribute(METER_REGISTRY_ATTRIBUTE))
              .stripeClient(stripeClient(context))
              .classLoader(loader)
              .label("StripeWebhookFilter '" + getFilterName() + "'")
              .build();
      // Two endpoints of one name would share their inbox rows (one table, one database): each
      // would claim the other's events and fail them as no longer verifying. An embedded
      // server that hands each filter its own inbox decides that itself.
      if (inbox == null
          && context.getAttribute(ENDPOINT_ATTRIBUTE_PREFIX + endpoint.name()) != null) {
        throw new IllegalArgumentException(
            WebhookConfig.Keys.ENDPOINT
                + ": another filter"
                + " already runs the endpoint '"
                + endpoint.name()
                + "'; give each filter its own"
                + " name (init-param "
                + WebhookConfig.Keys.ENDPOINT
                + ")");
      }
    } catch (RuntimeException e) {
      throw new ServletException(
          "StripeWebhookFilter '" + getFilterName() + "' cannot start: " + e.getMessage());
    }
    endpoint.start();
    publish(context);
    LOG.log(Level.INFO, "{0} ready, endpoint ''{1}''", endpoint, endpoint.name());
  }

  /**
   * The {@value #STRIPE_CLIENT_ATTRIBUTE} of {@code context}, or null.
   *
   * @throws IllegalArgumentException when it is set to something else than a {@code StripeClient}
   */
  public static StripeClient stripeClient(ServletContext context) {
    Object client = context.getAttribute(STRIPE_CLIENT_ATTRIBUTE);
    if (client != null && !(client instanceof StripeClient)) {
      throw new IllegalArgumentException(
          "servlet context attribute "
              + STRIPE_CLIENT_ATTRIBUTE
              + " is a "
              + client.getClass().getName()
              + ", not a com.stripe.StripeClient");
    }
    return (StripeClient) client;
  }

  /** Makes the endpoint known to the admin console, recovery and the JAX-RS providers. */
  private void publish(ServletContext context) {
    synchronized (context) {
      context.setAttribute(ENDPOINT_ATTRIBUTE_PREFIX + endpoint.name(), endpoint);
      context.setAttribute(INSTALLED_ATTRIBUTE, Boolean.TRUE);
      Map<String, WebhookEndpoint> all = endpoints(context);
      WebhookEndpoint main = all.getOrDefault("default", all.values().iterator().next());
      context.setAttribute(CONFIG_ATTRIBUTE, main.config());
      context.setAttribute(StoredEventProcessor.ATTRIBUTE, main);
    }
  }

  /**
   * The endpoints the filters of this application run, by name, as published under {@value
   * #ENDPOINT_ATTRIBUTE_PREFIX}{@code <name>}.
   */
  public static SortedMap<String, WebhookEndpoint> endpoints(ServletContext context) {
    SortedMap<String, WebhookEndpoint> all = new TreeMap<>();
    for (String name : Collections.list(context.getAttributeNames())) {
      if (name.startsWith(ENDPOINT_ATTRIBUTE_PREFIX)
          && context.getAttribute(name) instanceof WebhookEndpoint endpoint) {
        all.put(endpoint.name(), endpoint);
      }
    }
    return all;
  }

  @Override
  public void destroy() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  /** During init the containers set the web application's loader as the context loader. */
  private ClassLoader applicationClassLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : StripeWebhookFilter.class.getClassLoader();
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    // Only a request that may go down the chain needs its answer held.
    HeldResponse held =
        endpoint.passesDown() && !nothingMappedBehind(request) ? new HeldResponse(response) : null;
    PassDown behind =
        held == null ? null : (event, context) -> passDown(request, held, chain, event, context);
    Decision decision = endpoint.deliver(ServletDelivery.of(request), behind);
    decision.event().ifPresent(event -> request.setAttribute(EVENT_ATTRIBUTE, event));
    if (held != null) {
      if (decision.processingAnswers()) {
        held.release(); // the servlet's answer, now that its outcome is recorded
        return;
      }
      held.discard();
      if (response.isCommitted()) {
        return; // the servlet behind sent an error or a redirect itself
      }
    }
    if (decision.reason().orElse(null) == Reason.METHOD_NOT_ALLOWED) {
      response.setHeader("Allow", "POST");
    } else if (decision.reason().orElse(null) == Reason.BODY_TOO_LARGE) {
      response.setHeader("Connection", "close"); // the rest of the body is not read
    }
    response.setStatus(decision.status());
    response.setContentType(decision.contentType());
    response.setContentLength(decision.bodyLength());
    decision.writeBody(response.getOutputStream());
  }

  /** The servlet behind processes the event; its status decides. */
  private int passDown(
      HttpServletRequest request,
      HeldResponse held,
      FilterChain chain,
      VerifiedEvent event,
      HandlingContext context)
      throws IOException, ServletException {
    request.setAttribute(EVENT_ATTRIBUTE, event);
    request.setAttribute(DISPATCHED_ATTRIBUTE, Boolean.TRUE);
    request.setAttribute(HANDLING_CONTEXT_ATTRIBUTE, context);
    try {
      // The held bytes, not a copy: CachedBodyRequest only hands out streams over them.
      chain.doFilter(new CachedBodyRequest(request, event), held);
    } finally {
      request.removeAttribute(HANDLING_CONTEXT_ATTRIBUTE);
    }
    if (request.isAsyncStarted() && !warnedAsync.getAndSet(true)) {
      LOG.log(
          Level.WARNING,
          "StripeWebhookFilter ''{0}'': the servlet behind it went"
              + " asynchronous; the event is marked done by the status it had when the servlet"
              + " returned, before its answer is complete. Handle events synchronously (or in"
              + " handlers) for the inbox to see the outcome.",
          getFilterName());
    }
    return held.getStatus();
  }

  /** Only the container's default servlet is behind: it would answer a POST with 404 or 405. */
  private static boolean nothingMappedBehind(HttpServletRequest request) {
    return request.getHttpServletMapping() != null
        && request.getHttpServletMapping().getMappingMatch() == MappingMatch.DEFAULT;
  }

  /**
   * The verified delivery on this request.
   *
   * @throws IllegalStateException when the filter is not installed or has not run for this request;
   *     the message tells the two apart
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

  /** The endpoint this filter is a door of, once {@link #init()} has run. */
  public WebhookEndpoint endpoint() {
    return endpoint;
  }

  /** The event inbox in use, once {@link #init()} has run. */
  public EventInbox inbox() {
    return endpoint.inbox();
  }

  /** The configuration in force, once {@link #init()} has run. */
  public WebhookConfig config() {
    return endpoint.config();
  }
}
