// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import com.stripe.model.Event;
import dev.stripewebhook.EventHandlerException;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookAlertListener;
import dev.stripewebhook.WebhookVerificationException;
import dev.stripewebhook.cdi.internal.CdiLookup;
import dev.stripewebhook.internal.InboxFactory;
import dev.stripewebhook.internal.AlertMonitor;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxWorkers;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.StoredEventProcessor;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

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
 * 400 with the reason code. A verified delivery is then recorded in the event inbox ({@link dev.stripewebhook.inbox}: in memory, or in the database of
 * {@value WebhookConfig.Keys#DATASOURCE}); when it cannot be stored, it is answered 503 ({@code
 * storage-unavailable}) and Stripe delivers it again. An event already done is answered 200 at
 * once, without running anything. Otherwise, in {@code sync} processing:
 *
 * <ul>
 *   <li>it is dispatched to the handlers whose types match and to the CDI observers that want it
 *       (see {@link dev.stripewebhook.cdi.StripeEventType}); when one throws, it is answered 500,
 *       so that Stripe retries;
 *   <li>then, with handlers configured, or with no servlet mapped behind the filter, it is
 *       answered 200;
 *   <li>otherwise it is passed down the chain with a request that replays the same bytes from
 *       {@code getInputStream()} and {@code getReader()}: the servlet or JAX-RS resource behind
 *       reads the event with {@link #verifiedEvent(ServletRequest)}, and its status decides: 2xx
 *       marks the event done, anything else failed.
 *   <li>while another request processes the same event (a concurrent redelivery), answered 409
 *       ({@code event-in-progress}): Stripe delivers it again later, and then gets 200 if the
 *       first succeeded, or runs it again if it failed.
 * </ul>
 *
 * In {@code async} processing ({@value WebhookConfig.Keys#PROCESSING}), a stored event is
 * answered 200 at once; worker threads, started in {@link #init()} and stopped in {@link
 * #destroy()}, verify the stored bytes again and run the handlers, retrying a failure with
 * exponential backoff and jitter until {@value WebhookConfig.Keys#ATTEMPTS} attempts, after which
 * the event is {@code dead} (kept, replayable).
 *
 * <p>Handlers, or the servlet through the request attribute {@value #HANDLING_CONTEXT_ATTRIBUTE},
 * get a {@link HandlingContext}: with a DataSource, writes through its connection commit with
 * the event's done mark. Error answers are {@code application/problem+json} with a {@code reason}
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
   * request's event, so that nothing behind it (a JAX-RS {@code @StripeEvent} parameter) runs
   * them again: {@value}.
   */
  public static final String DISPATCHED_ATTRIBUTE = "dev.stripewebhook.dispatched";

  /**
   * A servlet context attribute an application may set, before the filter starts, to the
   * Micrometer {@code MeterRegistry} the filter records into; without it, Micrometer's global
   * registry (when Micrometer is on the class path): {@value}.
   */
  public static final String METER_REGISTRY_ATTRIBUTE = "dev.stripewebhook.meter-registry";

  /**
   * The servlet context attribute a {@code ServletContextListener} may set to a {@link
   * DataSource} for the JDBC inbox, when the application builds its own pool rather than naming
   * one in JNDI with {@value WebhookConfig.Keys#DATASOURCE} (which wins): {@value}.
   */
  public static final String DATASOURCE_ATTRIBUTE = "dev.stripewebhook.datasource";

  /**
   * The servlet context attribute that holds the running filter's {@link WebhookConfig}, for
   * other parts of the application (the admin console, {@link
   * dev.stripewebhook.recovery.EventRecovery}): {@value}.
   */
  public static final String CONFIG_ATTRIBUTE = "dev.stripewebhook.config";

  /** The logger of the one line per delivery: {@value}. */
  public static final String DELIVERY_LOGGER = "dev.stripewebhook.delivery";

  /**
   * The logger of debug mode ({@value WebhookConfig.Keys#DEBUG_UNTIL}), which writes each
   * delivery's raw header and body: {@value}.
   */
  public static final String DEBUG_LOGGER = "dev.stripewebhook.debug";

  private static final System.Logger DELIVERIES = System.getLogger(DELIVERY_LOGGER);
  private static final System.Logger DEBUG = System.getLogger(DEBUG_LOGGER);
  private static final System.Logger ALERTS = System.getLogger("dev.stripewebhook.alert");
  private static final String REJECTION_DETAILS_ATTRIBUTE = "dev.stripewebhook.rejection";
  private static final String INSTALLED_ATTRIBUTE = "dev.stripewebhook.filter.installed";
  private static final String ERROR_NOT_INSTALLED = "No verified Stripe event:"
      + " StripeWebhookFilter is not installed. See the Installation section of its Javadoc.";
  private static final String ERROR_NOT_RUN = "No verified Stripe event on this request:"
      + " StripeWebhookFilter has not run for it. Map the filter to this URL.";

  private transient WebhookConfig config;
  private transient EventHandlers handlers;
  private transient SignatureVerifier verifier;
  private transient BoundedBodyReader bodyReader;
  private transient ClientAddresses clientAddresses;
  private transient DeliveryMetrics metrics = DeliveryMetrics.NONE;
  private transient AlertMonitor alerts;
  private transient ScheduledExecutorService alertTimer;
  private transient boolean answersItself;
  private transient EventInbox inbox;
  private transient String owner;
  private transient InboxWorkers workers;
  private final AtomicLong claims = new AtomicLong();
  private final AtomicBoolean warnedAsync = new AtomicBoolean();
  private transient Instant debugUntil;
  private final AtomicBoolean debugEnded = new AtomicBoolean();

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
      if (inbox == null) {
        inbox = createInbox(config, context.getAttribute(DATASOURCE_ATTRIBUTE));
      }
      if (config.processing() == WebhookConfig.Processing.ASYNC && handlers.isEmpty()) {
        throw new IllegalArgumentException(WebhookConfig.Keys.PROCESSING + ": async needs"
            + " handlers (" + WebhookConfig.Keys.HANDLERS + ", META-INF/services or CDI observers);"
            + " without handlers the servlet behind the filter processes events in the request:"
            + " use sync");
      }
    } catch (RuntimeException e) {
      throw new ServletException("StripeWebhookFilter '" + getFilterName() + "' cannot start: "
          + e.getMessage());
    }
    verifier = SignatureVerifier.create(config);
    bodyReader = new BoundedBodyReader(config.maxBodySize());
    metrics = DeliveryMetrics.find(context.getAttribute(METER_REGISTRY_ATTRIBUTE),
        applicationClassLoader());
    metrics.watch(inbox, config.clock());
    startAlerts();
    announceDebugMode();
    // Visible as lease_owner: which process holds an event, never anything secret.
    owner = "pid" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    workers = async()
        ? InboxWorkers.processing(inbox, owner + "-worker", this::processStored,
            config.workers())
        : InboxWorkers.pruning(inbox);
    workers.start();
    context.setAttribute(INSTALLED_ATTRIBUTE, Boolean.TRUE);
    context.setAttribute(CONFIG_ATTRIBUTE, config);
    context.setAttribute(StoredEventProcessor.ATTRIBUTE, new StoredEventProcessor() {
      @Override
      public EventInbox inbox() {
        return inbox;
      }

      @Override
      public Outcome process(String eventId) throws InboxException {
        return inbox.process(eventId, claimOwner(), StripeWebhookFilter.this::processStored);
      }

      @Override
      public boolean processesDueEvents() {
        return async();
      }
    });
    LOG.log(Level.INFO, "StripeWebhookFilter ''{0}'' ready: {1}, {2} processing, inbox {3}",
        getFilterName(), handlers.isEmpty() ? "no handlers, verified requests go down the chain"
            : handlers + (answersItself ? "" : ", then down the chain"), async() ? "async" : "sync",
        inbox.getClass().getSimpleName());
  }

  private void announceDebugMode() {
    config.debugUntil().ifPresent(until -> {
      debugUntil = until;
      if (config.clock().instant().isBefore(until)) {
        LOG.log(Level.WARNING, "StripeWebhookFilter ''{0}'': DEBUG MODE is on until {1}: the raw"
            + " Stripe-Signature header and body of every delivery are logged on {2}. They are"
            + " sensitive (customer data; a logged delivery can be replayed within the"
            + " tolerance): keep that log private, and remove {3} when done.", getFilterName(),
            until, DEBUG_LOGGER, WebhookConfig.Keys.DEBUG_UNTIL);
      } else {
        debugEnded.set(true);
        LOG.log(Level.INFO, "StripeWebhookFilter ''{0}'': debug mode ended at {1}; nothing is"
            + " logged; {2} can be removed", getFilterName(), until, WebhookConfig.Keys.DEBUG_UNTIL);
      }
    });
  }

  /**
   * Debug mode: the raw header and body at INFO until the configured instant, then nothing (one
   * line says it ended). Never the secret: only what the client sent.
   */
  private void logDebug(HttpServletRequest request, byte[] body) {
    if (debugUntil == null || debugEnded.get()) {
      return;
    }
    if (!config.clock().instant().isBefore(debugUntil)) {
      if (debugEnded.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "StripeWebhookFilter ''{0}'': debug mode ended at {1}; raw"
            + " deliveries are no longer logged", getFilterName(), debugUntil);
      }
      return;
    }
    if (DEBUG.isLoggable(Level.INFO)) {
      DEBUG.log(Level.INFO, "{0} from {1}: Stripe-Signature: {2}; body ({3} bytes): {4}",
          request.getRequestURI(), clientAddresses.client(request),
          request.getHeader(SignatureVerifier.SIGNATURE_HEADER), Integer.toString(body.length),
          new String(body, StandardCharsets.UTF_8));
    }
  }

  /** Alerts, when configured: checked every 30 s, or more often for a short silence. */
  private void startAlerts() {
    if (config.alertSilence() == null && config.alertWindow() == null) {
      return;
    }
    List<WebhookAlertListener> listeners = new ArrayList<>();
    ServiceLoader.load(WebhookAlertListener.class, applicationClassLoader())
        .forEach(listeners::add);
    var cdi = CdiLookup.events(applicationClassLoader());
    alerts = new AlertMonitor(config.clock(), config.alertSilence(), config.alertMaxFailures(),
        config.alertWindow(), alert -> {
          ALERTS.log(Level.WARNING, alert.kind() + ": " + alert.message());
          for (WebhookAlertListener listener : listeners) {
            try {
              listener.onAlert(alert);
            } catch (RuntimeException e) {
              ALERTS.log(Level.ERROR, "Alert listener " + listener.getClass().getName()
                  + " failed: " + e);
            }
          }
          cdi.ifPresent(fire -> fire.accept(alert));
        });
    long period = config.alertSilence() == null ? 30
        : Math.max(1, Math.min(30, config.alertSilence().getSeconds() / 4));
    alertTimer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "stripe-webhook-alerts");
      thread.setDaemon(true);
      return thread;
    });
    alertTimer.scheduleWithFixedDelay(alerts::check, period, period, TimeUnit.SECONDS);
  }

  @Override
  public void destroy() {
    if (alertTimer != null) {
      alertTimer.shutdownNow();
    }
    if (workers != null) {
      workers.close();
    }
  }

  private boolean async() {
    return config.processing() == WebhookConfig.Processing.ASYNC;
  }

  /** Async: a worker handles an event stored at delivery, verifying its bytes again first. */
  private void processStored(InboxRecord record, HandlingContext context) throws Exception {
    VerifiedEvent event;
    try {
      event = verifier.verifyStored(record.body(), record.signatureHeader());
    } catch (WebhookVerificationException e) {
      throw new IllegalStateException("Stored event " + record.eventId() + " no longer verifies ("
          + e.reason().code() + "): was the secret it was signed with removed?", e);
    }
    try {
      dispatch(event, context, "attempt " + record.attempts() + " of " + config.attempts()
          + "; retried with backoff until then");
    } catch (EventHandlerException | RuntimeException e) {
      if (record.attempts() >= config.attempts()) {
        metrics.dead();                  // the inbox marks it dead (unless its lease ran out)
      }
      throw e;
    }
  }

  private static EventInbox createInbox(WebhookConfig config, Object contextDataSource) {
    if (contextDataSource != null && !(contextDataSource instanceof DataSource)) {
      throw new IllegalArgumentException("servlet context attribute " + DATASOURCE_ATTRIBUTE
          + " is a " + contextDataSource.getClass().getName() + ", not a javax.sql.DataSource");
    }
    return InboxFactory.create(config, (DataSource) contextDataSource);
  }

  /** During init the containers set the web application's loader as the context loader. */
  private ClassLoader applicationClassLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : StripeWebhookFilter.class.getClassLoader();
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    long start = System.nanoTime();
    try {
      process(request, response, chain);
    } finally {
      boolean verified = request.getAttribute(EVENT_ATTRIBUTE) != null;
      metrics.delivery(verified, response.getStatus(),
          (String) request.getAttribute(ProblemResponses.OUTCOME_ATTRIBUTE),
          System.nanoTime() - start);
      if (alerts != null) {
        if (verified) {
          alerts.verified();
        } else if (request.getAttribute(REJECTION_DETAILS_ATTRIBUTE) != null) {
          alerts.rejected();
        }
      }
      logDelivery(request, response, start);
    }
  }

  /**
   * One line per delivery on the logger {@value #DELIVERY_LOGGER}: the event, the answer, the
   * reason code or outcome, the time taken and the client; a rejected delivery adds what helps
   * find the cause (the header's timestamp, the measured clock offset, the body's length and
   * hash), never a secret or a signature.
   */
  private void logDelivery(HttpServletRequest request, HttpServletResponse response, long start) {
    if (!DELIVERIES.isLoggable(Level.INFO)) {
      return;
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    Object outcome = request.getAttribute(ProblemResponses.OUTCOME_ATTRIBUTE);
    String client = clientAddresses == null ? request.getRemoteAddr()
        : clientAddresses.client(request);
    if (request.getAttribute(EVENT_ATTRIBUTE) instanceof VerifiedEvent event) {
      DELIVERIES.log(Level.INFO, "{0} {1}: {2} {3} in {4} ms from {5}", event.id(), event.type(),
          response.getStatus(), outcome == null ? "passed-down" : outcome, millis, client);
    } else {
      Object details = request.getAttribute(REJECTION_DETAILS_ATTRIBUTE);
      DELIVERIES.log(Level.INFO, "rejected: {0} {1} in {2} ms from {3}{4}", response.getStatus(),
          outcome, millis, client, details == null ? "" : " (" + details + ")");
    }
  }

  /** What helps find why a delivery did not verify; nothing secret. */
  private String rejectionDetails(String header, byte[] body) {
    StringBuilder details = new StringBuilder();
    long signedAt = SignatureHeaderPeek.timestamp(header);
    if (signedAt > 0) {
      details.append("t=").append(signedAt).append(", clock offset ")
          .append(config.clock().instant().getEpochSecond() - signedAt).append(" s, ");
    } else {
      details.append(header == null ? "no header, " : "no readable t, ");
    }
    if (body != null) {
      details.append("body ").append(body.length).append(" bytes sha256:")
          .append(SignatureHeaderPeek.sha256Prefix(body));
    }
    return details.toString();
  }

  private void process(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    if (!"POST".equals(request.getMethod())) {
      ProblemResponses.methodNotAllowed(request, response, request.getMethod());
      return;
    }
    if (!clientAddresses.allowed(request)) {
      ProblemResponses.forbidden(request, response);
      return;
    }
    byte[] body = null;
    VerifiedEvent event;
    try {
      long started = System.nanoTime();
      body = bodyReader.read(request);
      logDebug(request, body);
      event = verifier.verify(body, request.getHeader(SignatureVerifier.SIGNATURE_HEADER));
      metrics.verification(System.nanoTime() - started);
    } catch (BodyTooLargeException e) {
      ProblemResponses.tooLarge(request, response, e.getMessage());
      return;
    } catch (BodyConsumedException e) {
      LOG.log(Level.ERROR, "StripeWebhookFilter ''{0}'': {1}", getFilterName(), e.getMessage());
      ProblemResponses.bodyConsumed(request, response);
      return;
    } catch (WebhookVerificationException e) {
      request.setAttribute(REJECTION_DETAILS_ATTRIBUTE,
          rejectionDetails(request.getHeader(SignatureVerifier.SIGNATURE_HEADER), body));
      ProblemResponses.verificationFailed(request, response, e.reason().code(), e.getMessage());
      return;
    }
    request.setAttribute(EVENT_ATTRIBUTE, event);
    Receipt receipt;
    try {
      receipt = inbox.receive(event, request.getHeader(SignatureVerifier.SIGNATURE_HEADER),
          clientAddresses.client(request));
    } catch (InboxException e) {
      storageUnavailable(request, response, event, e);
      return;
    }
    if (receipt == Receipt.DONE) {
      // A redelivery of a finished event: answer at once, without building the Event.
      LOG.log(Level.DEBUG, "Stripe event {0} already done; delivery acknowledged", event.id());
      ProblemResponses.received(request, response, "duplicate");
      return;
    }
    if (async()) {
      // Stored (committed) before this 200: the workers take it from here.
      workers.wake();
      ProblemResponses.received(request, response, "stored");
      return;
    }
    if (!answersItself && !nothingMappedBehind(request)) {
      passDown(request, response, chain, event, body);
      return;
    }
    Outcome outcome;
    try {
      outcome = inbox.process(event.id(), claimOwner(), (record, context) ->
          dispatch(event, context, "answered 500 so that Stripe retries"));
    } catch (InboxException e) {
      storageUnavailable(request, response, event, e);
      return;
    }
    if (outcome == Outcome.DEAD) {
      metrics.dead();
    }
    switch (outcome) {
      case DONE, SUPERSEDED, ALREADY_DONE -> ProblemResponses.received(request, response,
          outcome.name().toLowerCase(java.util.Locale.ROOT));
      case FAILED, DEAD -> ProblemResponses.handlerFailed(request, response);
      case BUSY, LEASE_LOST -> inProgress(request, response, event);
      case UNKNOWN -> storageUnavailable(request, response, event,
          new InboxException("event " + event.id() + " vanished from the inbox"));
    }
  }

  /** Only the container's default servlet is behind: it would answer a POST with 404 or 405. */
  private static boolean nothingMappedBehind(HttpServletRequest request) {
    return request.getHttpServletMapping() != null
        && request.getHttpServletMapping().getMappingMatch() == MappingMatch.DEFAULT;
  }

  /** Each claim has its own owner: a request must not finish another request's claim. */
  private String claimOwner() {
    return owner + "-" + claims.incrementAndGet();
  }

  private void dispatch(VerifiedEvent event, HandlingContext context, String consequence)
      throws EventHandlerException {
    int ran;
    long started = System.nanoTime();
    try {
      ran = handlers.dispatch(event, context);
    } catch (EventHandlerException e) {
      metrics.handling(false, System.nanoTime() - started);
      LOG.log(Level.ERROR, e.getMessage() + "; " + consequence);
      LOG.log(Level.DEBUG, "Stack trace of the failure of " + event.id(), e.getCause());
      throw e;
    }
    if (ran > 0) {
      metrics.handling(true, System.nanoTime() - started);
    }
    if (ran == 0 && event.isThin()) {
      LOG.log(Level.INFO, "Thin event notification {0} ({1}) acknowledged: no handler is"
          + " registered for its type", event.id(), event.type());
    }
  }

  /**
   * No handlers but a servlet behind: it processes the event, after the CDI observers if any,
   * and its status decides.
   */
  private void passDown(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain, VerifiedEvent event, byte[] body) throws IOException, ServletException {
    Exception[] thrown = new Exception[1];
    boolean[] passed = new boolean[1];
    HeldResponse held = new HeldResponse(response);
    Outcome outcome;
    try {
      outcome = inbox.process(event.id(), claimOwner(), (record, context) -> {
        if (!handlers.isEmpty()) {
          dispatch(event, context, "answered 500 so that Stripe retries");
          request.setAttribute(DISPATCHED_ATTRIBUTE, Boolean.TRUE);
        }
        passed[0] = true;
        request.setAttribute(HANDLING_CONTEXT_ATTRIBUTE, context);
        try {
          chain.doFilter(new CachedBodyRequest(request, body), held);
        } catch (IOException | ServletException | RuntimeException e) {
          thrown[0] = e;
          throw e;
        } finally {
          request.removeAttribute(HANDLING_CONTEXT_ATTRIBUTE);
        }
        if (request.isAsyncStarted() && !warnedAsync.getAndSet(true)) {
          LOG.log(Level.WARNING, "StripeWebhookFilter ''{0}'': the servlet behind it went"
              + " asynchronous; the event is marked done by the status it had when the servlet"
              + " returned, before its answer is complete. Handle events synchronously (or in"
              + " handlers) for the inbox to see the outcome.", getFilterName());
        }
        int status = held.getStatus();
        if (status < 200 || status > 299) {
          throw new IllegalStateException("the servlet behind StripeWebhookFilter answered "
              + status);
        }
      });
    } catch (InboxException e) {
      held.discard(); // its 2xx must not reach Stripe: the event is not marked done
      storageUnavailable(request, response, event, e);
      return;
    }
    if (outcome == Outcome.DEAD) {
      metrics.dead();
    }
    if (thrown[0] instanceof IOException e) {
      throw e;
    } else if (thrown[0] instanceof ServletException e) {
      throw e;
    } else if (thrown[0] instanceof RuntimeException e) {
      throw e;
    }
    if (!passed[0] && (outcome == Outcome.FAILED || outcome == Outcome.DEAD)) {
      ProblemResponses.handlerFailed(request, response); // an observer failed before the servlet ran
      return;
    }
    switch (outcome) {
      case SUPERSEDED, ALREADY_DONE -> ProblemResponses.received(request, response,
          outcome.name().toLowerCase(java.util.Locale.ROOT));
      case BUSY -> inProgress(request, response, event);
      case LEASE_LOST -> {
        held.discard(); // another owner took the event over; Stripe asks again
        inProgress(request, response, event);
      }
      case UNKNOWN -> {
        held.discard();
        storageUnavailable(request, response, event,
            new InboxException("event " + event.id() + " vanished from the inbox"));
      }
      case DONE, FAILED, DEAD -> held.release(); // the servlet's answer, now that it is recorded
    }
  }

  private static void inProgress(HttpServletRequest request, HttpServletResponse response,
      VerifiedEvent event) throws IOException {
    LOG.log(Level.INFO, "Stripe event {0} is being processed by another delivery; answered 409"
        + " so that Stripe delivers it again", event.id());
    ProblemResponses.inProgress(request, response);
  }

  private static void storageUnavailable(HttpServletRequest request,
      HttpServletResponse response, VerifiedEvent event, InboxException e) throws IOException {
    LOG.log(Level.ERROR, "Stripe event " + event.id() + " (" + event.type() + "): "
        + e.getMessage() + "; answered 503 so that Stripe delivers it again");
    if (!response.isCommitted()) {
      ProblemResponses.storageUnavailable(request, response);
    }
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

  /** The workers of this filter's inbox, once {@link #init()} has run. */
  InboxWorkers workers() {
    return workers;
  }

  /** The event inbox in use, once {@link #init()} has run. */
  public EventInbox inbox() {
    return inbox;
  }

  /** The configuration in force, once {@link #init()} has run. */
  public WebhookConfig config() {
    return config;
  }
}
