// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import com.stripe.StripeClient;
import dev.stripewebhook.EventHandlerException;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.LogText;
import dev.stripewebhook.Reason;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.StripeApiAccess;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookAlertListener;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookVerificationException;
import dev.stripewebhook.cdi.internal.CdiLookup;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxWorkers;
import dev.stripewebhook.inbox.StoredEventProcessor;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * One webhook endpoint: the delivery pipeline every door shares, so that every door gives the same
 * guarantees. The servlet filter, the JAX-RS providers, the async workers, the admin console's
 * replay and the recovery from Stripe's Events API are thin adapters over it.
 *
 * <p>A delivery ({@link #deliver}) goes through, in order: the method (405) and the client address
 * allow-list (403); the body, bounded in size (413) and in time (408); the signature on the raw
 * bytes, then the envelope and the mode and account rules (400 with the reason code); the inbox, by
 * event id (503 when it cannot store; 200 at once for an event already done); then the processing,
 * inside the event's claim: the handlers and CDI observers, or, for an endpoint without handlers of
 * its own, the observers and then the servlet or resource behind the door ({@link PassDown}), whose
 * status decides; or, with {@code async} processing, nothing now: the event is stored, answered
 * 200, and the workers run the handlers. The result is one {@link Decision}, logged in one line on
 * {@value #DELIVERY_LOGGER} and counted in the metrics.
 *
 * <p>The guarantees: never a 2xx before the event's done mark has committed; any {@link Throwable}
 * from processing fails that one attempt (500, recorded, retried); a delivery of an event another
 * delivery is processing waits up to {@value WebhookConfig.Keys#IN_PROGRESS_WAIT} for that outcome
 * (then 200 when done) before answering 409; no exception text in any answer.
 *
 * <pre>{@code
 * WebhookEndpoint endpoint = WebhookEndpoint.builder(config).handlers(handlers).build();
 * endpoint.start();
 * Decision decision = endpoint.deliver(delivery, null);
 * ...
 * endpoint.close();
 * }</pre>
 *
 * <p>Thread safe.
 *
 * @since 0.1
 */
public final class WebhookEndpoint implements StoredEventProcessor, AutoCloseable {
  /** The logger of the one line per delivery: {@value}. */
  public static final String DELIVERY_LOGGER = "dev.stripewebhook.delivery";

  /**
   * The logger of debug mode ({@value WebhookConfig.Keys#DEBUG_UNTIL}), which writes each
   * delivery's raw header and body: {@value}.
   */
  public static final String DEBUG_LOGGER = "dev.stripewebhook.debug";

  private static final System.Logger LOG = System.getLogger(WebhookEndpoint.class.getName());
  private static final System.Logger DELIVERIES = System.getLogger(DELIVERY_LOGGER);

  /** {@link #DELIVERIES}'s JUL logger, when the JDK's finder backs it with JUL; else null. */
  private static final JulLine DELIVERIES_JUL =
      JulLine.of(DELIVERIES, DELIVERY_LOGGER, WebhookEndpoint.class, "record");

  private final String label;
  private final WebhookConfig config;
  private final EventHandlers handlers;
  private final boolean passesDown;
  private final EventInbox inbox;
  private final SignatureVerifier verifier;
  private final BodyReader bodyReader;
  private final ClientAddresses addresses;
  private final DeliveryMetrics metrics;
  private final StripeApiAccess api;
  private final ClassLoader loader;
  // Visible as lease_owner: which process holds an event, never anything secret.
  private final String owner =
      "pid" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong claims = new AtomicLong();
  private final DebugLog debug;
  private final DeliveryLogLimit logLimit;
  private final AlertMonitor alerts;
  private volatile InboxWorkers workers;

  /** Claims {@link #admit} handed to a door; {@link #complete} ends them. */
  private final DoorClaims doorClaims;

  private WebhookEndpoint(Builder builder) {
    this.config = builder.config;
    this.label =
        builder.label != null
            ? builder.label
            : "Stripe webhook endpoint '" + config.processing().endpoint() + "'";
    this.loader = builder.loader != null ? builder.loader : WebhookEndpoint.class.getClassLoader();
    this.passesDown = builder.handlers.isEmpty();
    EventHandlers.Builder all = EventHandlers.builder().addAll(builder.handlers.all());
    builder.observers.ifPresent(all::add);
    this.handlers = all.build();
    if (config.processing().isAsync() && handlers.isEmpty()) {
      throw new IllegalArgumentException(
          WebhookConfig.Keys.PROCESSING
              + ": async needs"
              + " handlers ("
              + WebhookConfig.Keys.HANDLERS
              + ", META-INF/services or CDI observers);"
              + " without handlers the servlet or resource behind processes events in the request:"
              + " use sync");
    }
    this.addresses = ClientAddresses.from(config);
    this.inbox =
        builder.inbox != null ? builder.inbox : InboxFactory.create(config, builder.dataSource);

    this.bodyReader = new BodyReader(config.edge().maxBody(), config.edge().bodyTimeout());
    this.metrics = DeliveryMetrics.find(builder.meterRegistry, loader);
    this.api = apiAccess(config, builder.stripeClient, metrics);
    this.verifier = SignatureVerifier.create(config, api);
    this.doorClaims = new DoorClaims(inbox, builder.doorClaimLimit, label);
    this.debug = new DebugLog(config, label, LOG, DEBUG_LOGGER);
    this.logLimit =
        new DeliveryLogLimit(
            config.operations().deliveryLogLines(),
            SharedTimer::once,
            summary -> logDelivery(label + ": " + summary));
    List<WebhookAlertListener> listeners = new ArrayList<>();
    ServiceLoader.load(WebhookAlertListener.class, loader).forEach(listeners::add);
    this.alerts = AlertMonitor.create(config, listeners, CdiLookup.events(loader));
  }

  /**
   * The one client of Stripe's API: the given one, else one built from {@value
   * WebhookConfig.Keys#API_KEY}, else none.
   */
  private static StripeApiAccess apiAccess(
      WebhookConfig config, StripeClient given, DeliveryMetrics metrics) {
    boolean fetch = config.processing().thinEvents() == WebhookConfig.ThinEvents.FETCH;
    StripeClient client =
        given != null
            ? given
            : config
                .processing()
                .apiKey()
                .map(
                    key ->
                        StripeApiAccess.client(
                            key, config.edge().bodyTimeout(), config.edge().maxBody()))
                .orElse(null);
    if (client == null) {
      if (fetch) {
        throw new IllegalArgumentException(
            WebhookConfig.Keys.THIN_EVENTS
                + "=fetch needs an API key to fetch with: set STRIPE_API_KEY (or "
                + WebhookConfig.Keys.API_KEY
                + ") to a restricted key that may read events and the objects your handlers"
                + " take, or use notify");
      }
      return StripeApiAccess.none();
    }
    return StripeApiAccess.of(client, fetch, metrics::thinEventFetch);
  }

  /** A builder of an endpoint with {@code config}. */
  public static Builder builder(WebhookConfig config) {
    return new Builder(config);
  }

  /**
   * Starts the endpoint's threads: the async workers (or, in sync processing, the pruning of its
   * inbox), the alert checks when configured; announces debug mode. Call once.
   */
  public synchronized WebhookEndpoint start() {
    if (workers != null) {
      throw new IllegalStateException(label + " is already started");
    }
    metrics.watch(inbox, config.verification().clock());
    alerts.startChecks();
    debug.announce();
    workers =
        async()
            ? InboxWorkers.processing(
                inbox, owner + "-worker", this::processDue, config.processing().workers())
            : InboxWorkers.pruning(inbox);
    workers.start();
    return this;
  }

  /** Stops the workers (events being handled get a few seconds) and the alert checks. */
  @Override
  public synchronized void close() {
    doorClaims.close();
    logLimit.summarize();
    alerts.stop();
    if (workers != null) {
      workers.close();
    }
  }

  /**
   * The endpoint's name: its inbox's ({@value WebhookConfig.Keys#ENDPOINT}, unless an inbox built
   * for another name was given).
   */
  public String name() {
    return inbox.endpoint();
  }

  /** The configuration in force. */
  public WebhookConfig config() {
    return config;
  }

  /**
   * The endpoint's access to Stripe's API: the one {@link StripeClient} its thin notifications are
   * bound to (empty without an API key), and whether it fetches for snapshot types.
   */
  public StripeApiAccess stripeApi() {
    return api;
  }

  /** The endpoint's event inbox. */
  @Override
  public EventInbox inbox() {
    return inbox;
  }

  /**
   * Whether the endpoint has no handlers of its own, so that the servlet or resource behind its
   * door processes events (after the CDI observers that want them).
   */
  public boolean passesDown() {
    return passesDown;
  }

  /** The handlers and CDI observers the endpoint runs. */
  public EventHandlers handlers() {
    return handlers;
  }

  /** The async workers, once started; in sync processing, the pruner. */
  public InboxWorkers workers() {
    return workers;
  }

  @Override
  public boolean processesDueEvents() {
    return async();
  }

  /**
   * Whether a stored event can be processed without a delivery (a replay, a recovered event): not
   * when the servlet or resource behind the door is the processing, since it runs only in a
   * delivery.
   */
  @Override
  public boolean runsStoredEvents() {
    return !passesDown;
  }

  private boolean async() {
    return config.processing().isAsync();
  }

  /**
   * Takes one delivery through the pipeline and decides its answer; logs it and counts it.
   *
   * @param behind the processing behind the door, or null when there is none; used only when the
   *     endpoint {@link #passesDown()}
   */
  public Decision deliver(Delivery delivery, PassDown behind) {
    long start = System.nanoTime();
    Decision decision;
    String client = delivery.peerAddress();
    String rejection = null;
    try {
      ClientAddresses.Client resolved = addresses.resolve(delivery);
      client = resolved.text();
      Step step = decide(delivery, resolved, passesDown ? behind : null);
      decision = step.decision;
      rejection = step.rejection;
    } catch (Refusal e) {
      decision = Decision.refused(e.reason(), e.getMessage(), null);
    } catch (RuntimeException | Error e) {
      decision = unexpected(e);
    }
    record(decision, client, rejection, System.nanoTime() - start);
    return decision;
  }

  /** Where a delivery stands: decided, or verified and stored and now to be processed. */
  private record Step(Decision decision, String rejection, VerifiedEvent toProcess) {
    static Step of(Decision decision) {
      return new Step(decision, null, null);
    }
  }

  private Step decide(Delivery delivery, ClientAddresses.Client client, PassDown behind) {
    // Sync: a new event is stored already claimed for this delivery (a transaction less).
    String arrivalOwner = async() ? null : claimOwner();
    Step step = receive(delivery, client, arrivalOwner);
    if (step.toProcess == null) {
      return step;
    }
    // A ping is done once the handlers and observers that ask for it ran: never passed down.
    boolean ping = StripeSystemEvents.isPing(step.toProcess);
    return Step.of(processNow(step.toProcess, ping ? null : behind, arrivalOwner));
  }

  /** The pipeline up to the processing: edge rules, body, verification, the inbox. */
  private Step receive(Delivery delivery, ClientAddresses.Client resolved) {
    return receive(delivery, resolved, null);
  }

  /**
   * As {@link #receive(Delivery, ClientAddresses.Client)}; a new event is stored claimed by {@code
   * arrivalOwner} when not null, which then processes it first.
   */
  private Step receive(Delivery delivery, ClientAddresses.Client resolved, String arrivalOwner) {
    String client = resolved.text();
    if (!"POST".equals(delivery.method())) {
      return Step.of(
          Decision.refused(
              Reason.METHOD_NOT_ALLOWED,
              "Stripe delivers webhooks with"
                  + " POST; this request used "
                  + LogText.escape(delivery.method())
                  + ".",
              null));
    }
    if (!addresses.allowed(resolved)) {
      noticeSignedOutsideAllowList(delivery, client);
      return Step.of(
          Decision.refused(
              Reason.ADDRESS_NOT_ALLOWED, "This client address may not post webhooks here.", null));
    }
    byte[] body;
    long started = System.nanoTime();
    try {
      body = bodyReader.read(delivery);
    } catch (Refusal e) {
      if (e.reason() == Reason.BODY_CONSUMED) {
        LOG.log(Level.ERROR, label + ": " + e.getMessage());
      }
      return Step.of(Decision.refused(e.reason(), e.getMessage(), null));
    }
    String header = delivery.header(SignatureVerifier.SIGNATURE_HEADER);
    debug.log(delivery, client, header, body);
    VerifiedEvent event;
    try {
      event = verifier.verify(body, header);
    } catch (WebhookVerificationException e) {
      return new Step(
          Decision.refused(e.reason(), e.getMessage(), null), rejectionDetails(header, body), null);
    }
    metrics.verification(System.nanoTime() - started);
    String unstorable = Storable.problem(event);
    if (unstorable != null) {
      return Step.of(Decision.refused(Reason.UNSTORABLE_EVENT, unstorable, event));
    }
    Receipt receipt;
    InboxWorkers running = workers;
    try {
      // Async: the workers claim a new event as it is stored and take it from there.
      receipt =
          async() && running != null
              ? running.receive(event, header, client)
              : arrivalOwner != null
                  ? inbox.receive(event, header, client, arrivalOwner)
                  : inbox.receive(event, header, client);
    } catch (InboxException e) {
      return Step.of(storageUnavailable(event, e));
    }
    if (receipt == Receipt.DONE) {
      // A redelivery of a finished event: answer at once, without building the Event.
      return Step.of(Decision.accepted(event, "duplicate"));
    }
    if (StripeSystemEvents.isHealth(event)) {
      alerts.stripeHealth(event.type(), event.id()); // never throws: see AlertMonitor
    }
    if (async()) {
      // Stored (committed) before this 200: the workers take it from here.
      return Step.of(Decision.accepted(event, "stored"));
    }
    return new Step(null, null, event);
  }

  /**
   * A refused address may be one Stripe added after the allow-list was written: a refused delivery
   * with a signature is still read (bounded, as any other) and verified, and if it verifies it is
   * counted, and logged and alerted once an hour per address. Its answer stays 403 either way.
   */
  private void noticeSignedOutsideAllowList(Delivery delivery, String client) {
    String header = delivery.header(SignatureVerifier.SIGNATURE_HEADER);
    if (header == null) {
      return; // nothing that could verify: refused without reading the body
    }
    try {
      verifier.verify(bodyReader.read(delivery), header);
    } catch (Refusal | WebhookVerificationException e) {
      return; // not Stripe's, or not readable: the 403 says all there is to say
    }
    metrics.signedOutsideAllowList();
    String advice =
        "Stripe may have added an address. Update the list: point "
            + WebhookConfig.Keys.STRIPE_IPS_FILE
            + " at a file kept current with `java -jar"
            + " stripe-webhook-cli-<version>-all.jar addresses --out FILE` (docs/containers.md), or"
            + " add the address to "
            + WebhookConfig.Keys.ALLOWED_IPS
            + " if you trust it.";
    if (alerts.signedOutsideAllowList(client, advice)) {
      LOG.log(
          Level.WARNING,
          label
              + ": a correctly signed delivery came from "
              + LogText.escape(client)
              + ", outside the allow-list; answered 403. "
              + advice);
    }
  }

  /**
   * For a door whose processing runs after this call returns, such as a JAX-RS resource method
   * between a request filter and a response filter: the pipeline up to the processing. The result
   * either holds the final decision (a refusal, a duplicate of a done event, an event stored for
   * the workers), which the door renders instead of running its processing, or lets the door's
   * processing run: after the handlers and observers that want the event have processed it, or, for
   * an endpoint without handlers of its own when none wants it, as the event's processing, inside a
   * claim that {@link #complete} ends. Either way the door must call {@link #complete} with its
   * processing's status.
   */
  public Admission admit(Delivery delivery) {
    long start = System.nanoTime();
    String client = delivery.peerAddress();
    Decision decision;
    String rejection = null;
    try {
      ClientAddresses.Client resolved = addresses.resolve(delivery);
      client = resolved.text();
      // A new sync event is stored claimed by this delivery, as in deliver: one transaction less.
      String arrivalOwner = async() ? null : claimOwner();
      Step step = receive(delivery, resolved, arrivalOwner);
      rejection = step.rejection;
      VerifiedEvent event = step.toProcess;
      if (event == null) {
        decision = step.decision;
      } else if (StripeSystemEvents.isPing(event)) {
        // Answered here: the door's processing never sees it.
        decision = processNow(event, null, arrivalOwner);
      } else if (!passesDown) {
        decision = processNow(event, null, arrivalOwner);
        if (decision.status() == 200 && !decision.outcome().equals("duplicate")) {
          return new Admission(event, null, client, start); // processed: the door's runs after
        }
      } else {
        // The door's processing is the event's, after the observers that want it, all inside
        // one claim, as behind the filter.
        Object claimed = claimForDoor(event, arrivalOwner);
        decision =
            claimed instanceof Decision refused ? refused : observeForDoor(event, (String) claimed);
        if (decision == null) {
          doorClaims.hold((String) claimed, event.id());
          return new Admission(event, (String) claimed, client, start);
        }
      }
    } catch (Refusal e) {
      decision = Decision.refused(e.reason(), e.getMessage(), null);
    } catch (RuntimeException | Error e) {
      decision = unexpected(e);
    }
    record(decision, client, rejection, System.nanoTime() - start);
    return new Admission(decision);
  }

  /**
   * Ends what {@link #admit} let through: the door's processing answered {@code status} (or threw:
   * pass 500). When it was the event's processing, the event is marked done on 2xx and failed
   * otherwise, before the door answers. Logs and counts the delivery.
   *
   * @return the decision to render: {@link Decision#processingAnswers()} when the door's own answer
   *     goes out; otherwise a refusal that replaces it (the done mark could not be recorded: 503;
   *     the claim was lost: 409)
   */
  public Decision complete(Admission admission, int status) {
    if (admission.decision != null) {
      return admission.decision;
    }
    VerifiedEvent event = admission.event;
    Decision decision = Decision.answeredByProcessing(event, status);
    if (admission.owner != null && !doorClaims.release(admission.owner)) {
      decision =
          Decision.refused(
              Reason.HANDLER_FAILED,
              "Processing took longer than "
                  + doorClaims.limit().toSeconds()
                  + " s and was failed; Stripe will deliver the event"
                  + " again.",
              event);
    } else if (admission.owner != null) {
      clearInterrupt(event); // the resource ran on this thread: the finish must still commit
      try {
        Outcome outcome =
            inbox.finish(
                event.id(),
                admission.owner,
                status >= 200 && status <= 299
                    ? null
                    : new ProcessingFailure("the resource behind answered " + status, null));
        if (outcome == Outcome.DEAD) {
          metrics.dead();
        }
        if (outcome == Outcome.LEASE_LOST) {
          decision = leaseLost(event);
        }
      } catch (InboxException e) {
        decision = storageUnavailable(event, e);
      } catch (RuntimeException | Error e) {
        decision = unexpected(e);
      }
    }
    record(decision, admission.client, null, System.nanoTime() - admission.start);
    return decision;
  }

  /** For tests: fails the door claims held longer than their limit. */
  void sweepDoorClaims() {
    doorClaims.sweep();
  }

  /** What {@link #admit} decided: a final answer, or the door's processing may run. */
  public static final class Admission {
    private final Decision decision;
    private final VerifiedEvent event;
    private final String owner;
    private final String client;
    private final long start;

    private Admission(Decision decision) {
      this.decision = decision;
      this.event = decision.event().orElse(null);
      this.owner = null;
      this.client = null;
      this.start = 0;
    }

    private Admission(VerifiedEvent event, String owner, String client, long start) {
      this.decision = null;
      this.event = event;
      this.owner = owner;
      this.client = client;
      this.start = start;
    }

    /** The final answer, when the door's processing must not run. */
    public Optional<Decision> decision() {
      return Optional.ofNullable(decision);
    }

    /** The verified event, when the delivery verified. */
    public Optional<VerifiedEvent> event() {
      return Optional.ofNullable(event);
    }

    /** Whether the door's processing is the event's processing (its status decides). */
    public boolean claimed() {
      return owner != null;
    }
  }

  /**
   * Claims the event for the door's processing; while another delivery holds it, waits (bounded)
   * for its outcome. The owner of the claim, or the decision when not claimed.
   */
  private Object claimForDoor(VerifiedEvent event, String arrivalOwner) {
    InProgressWait wait = new InProgressWait(config.processing().inProgressWait());
    String firstOwner = arrivalOwner; // may hold the claim since the event was stored
    while (true) {
      String claimOwner = firstOwner != null ? firstOwner : claimOwner();
      firstOwner = null;
      try {
        if (inbox.claim(event.id(), claimOwner).isPresent()) {
          return claimOwner;
        }
        Optional<InboxRecord> record = inbox.find(event.id());
        if (record.isEmpty()) {
          return storageUnavailable(
              event, new InboxException("event " + event.id() + " vanished from the inbox"));
        }
        if (record.get().status().isFinal()) {
          return Decision.accepted(event, "duplicate");
        }
      } catch (InboxException e) {
        return storageUnavailable(event, e);
      }
      if (!wait.pause()) {
        return inProgress(event);
      }
    }
  }

  /**
   * Runs the observers that want the event inside the door's claim (without a transaction: the
   * door's processing comes later); null when they succeeded, else the claim is finished as failed
   * and the refusal returned.
   */
  private Decision observeForDoor(VerifiedEvent event, String owner) {
    try {
      dispatch(event, HandlingContext.none(), "answered 500 so that Stripe retries");
      return null;
    } catch (Throwable failure) {
      try {
        if (inbox.finish(event.id(), owner, failure) == Outcome.DEAD) {
          metrics.dead();
        }
      } catch (InboxException e) {
        return storageUnavailable(event, e);
      }
      return Decision.refused(
          Reason.HANDLER_FAILED,
          "Processing failed for this event; Stripe"
              + " will deliver it again. See the server log.",
          event);
    } finally {
      clearInterrupt(event);
    }
  }

  /**
   * Clears an interrupt a handler left on the thread: the inbox's commit that follows would fail
   * (H2 closes the whole database on an interrupted write, failing other events' attempts too).
   */
  private static void clearInterrupt(VerifiedEvent event) {
    if (Thread.interrupted()) {
      LOG.log(
          Level.WARNING,
          "Stripe event {0}: its processing left the thread interrupted; the"
              + " interrupt is cleared before the event's outcome is recorded",
          LogText.escape(event.id()));
    }
  }

  private Decision inProgress(VerifiedEvent event) {
    LOG.log(
        Level.INFO,
        "Stripe event {0} is still being processed by another delivery after {1}"
            + " s; answered 409 so that Stripe delivers it again",
        LogText.escape(event.id()),
        config.processing().inProgressWait().toSeconds());
    return Decision.refused(
        Reason.EVENT_IN_PROGRESS,
        "Another delivery of this event is being"
            + " processed now; Stripe will deliver it again and then gets the result.",
        event);
  }

  private Decision leaseLost(VerifiedEvent event) {
    LOG.log(
        Level.WARNING,
        "Stripe event {0}: its processing outlived the claim''s lease and"
            + " another owner took the event over; its outcome here is not recorded; answered 409",
        LogText.escape(event.id()));
    return Decision.refused(
        Reason.EVENT_IN_PROGRESS,
        "Another delivery of this event is being"
            + " processed now; Stripe will deliver it again and then gets the result.",
        event);
  }

  private Decision unexpected(Throwable e) {
    LOG.log(
        Level.ERROR,
        label
            + ": a delivery failed unexpectedly ("
            + e.getClass().getName()
            + "); answered 500 so that Stripe delivers it again",
        e);
    return Decision.refused(
        Reason.INTERNAL_ERROR,
        "The endpoint failed; Stripe will deliver the" + " event again. See the server log.",
        null);
  }

  /**
   * Runs the event now, in the request, inside its claim; while another delivery holds the claim,
   * waits (bounded) for its outcome and tries again. The first try is as {@code arrivalOwner} (when
   * not null), which may hold the event's claim since it was stored.
   */
  private Decision processNow(VerifiedEvent event, PassDown behind, String arrivalOwner) {
    InProgressWait wait = new InProgressWait(config.processing().inProgressWait());
    String firstOwner = arrivalOwner;
    while (true) {
      Attempt attempt = new Attempt();
      Outcome outcome;
      String owner = firstOwner != null ? firstOwner : claimOwner();
      firstOwner = null;
      try {
        outcome =
            inbox.process(
                event.id(), owner, (record, context) -> run(event, context, behind, attempt));
      } catch (InboxException e) {
        return storageUnavailable(event, e);
      }
      switch (outcome) {
        case BUSY -> {
          if (!wait.pause()) {
            return inProgress(event);
          }
        }
        case DONE, SUPERSEDED -> {
          return attempt.status >= 0
              ? Decision.answeredByProcessing(event, attempt.status)
              : Decision.accepted(event, outcome == Outcome.DONE ? "done" : "superseded");
        }
        case ALREADY_DONE -> {
          return Decision.accepted(event, "duplicate");
        }
        case FAILED, DEAD -> {
          if (outcome == Outcome.DEAD) {
            metrics.dead();
          }
          return attempt.status >= 0
              ? Decision.answeredByProcessing(event, attempt.status)
              : Decision.refused(
                  Reason.HANDLER_FAILED,
                  "Processing failed for this event;"
                      + " Stripe will deliver it again. See the server log.",
                  event);
        }
        case LEASE_LOST -> {
          return leaseLost(event);
        }
        default -> {
          return storageUnavailable(
              event, new InboxException("event " + event.id() + " vanished from the inbox"));
        }
      }
    }
  }

  /**
   * The bounded wait of a delivery for another delivery's outcome: pauses growing from 10 to 250 ms
   * until {@value WebhookConfig.Keys#IN_PROGRESS_WAIT} has passed.
   */
  private static final class InProgressWait {
    private final long deadline;
    private long pause = 10;

    InProgressWait(Duration wait) {
      this.deadline = System.nanoTime() + wait.toNanos();
    }

    /** Pauses once; false when the wait is over (or the thread was interrupted). */
    boolean pause() {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      pause = Math.min(pause * 2, 250);
      return true;
    }
  }

  /** What the processing behind did in one attempt: its status, -1 when it did not answer. */
  private static final class Attempt {
    int status = -1;
  }

  /** The work of one claimed attempt: the handlers and observers, then the processing behind. */
  private void run(VerifiedEvent event, HandlingContext context, PassDown behind, Attempt attempt)
      throws Exception {
    try {
      runBehind(event, context, behind, attempt);
    } finally {
      clearInterrupt(event);
    }
  }

  @SuppressWarnings("try") // the scope is entered for its effect, never named in the body
  private void runBehind(
      VerifiedEvent event, HandlingContext context, PassDown behind, Attempt attempt)
      throws Exception {
    dispatch(event, context, "answered 500 so that Stripe retries");
    if (behind == null) {
      return;
    }
    int status;
    try (HandlingContext.Scope scope = HandlingContext.enter(context)) {
      status = behind.process(event, context);
    } catch (Throwable e) {
      LOG.log(
          Level.ERROR,
          "Stripe event "
              + LogText.escape(event.id())
              + " ("
              + LogText.escape(event.type())
              + "): the servlet or resource behind the endpoint threw "
              + e.getClass().getName()
              + "; answered 500 so that Stripe retries",
          e);
      throw new ProcessingFailure("the servlet or resource behind threw " + e, e);
    }
    attempt.status = status;
    if (status < 200 || status > 299) {
      throw new ProcessingFailure("the servlet or resource behind answered " + status, null);
    }
  }

  private void dispatch(VerifiedEvent event, HandlingContext context, String consequence)
      throws EventHandlerException {
    int ran;
    long started = System.nanoTime();
    try {
      ran = handlers.dispatch(event, context);
    } catch (EventHandlerException e) {
      metrics.handling(false, System.nanoTime() - started);
      LOG.log(Level.ERROR, LogText.withoutKeys(e.getMessage()) + "; " + consequence);
      LOG.log(
          Level.DEBUG, "Stack trace of the failure of " + LogText.escape(event.id()), e.getCause());
      throw e;
    }
    if (ran > 0) {
      metrics.handling(true, System.nanoTime() - started);
    }
    if (ran == 0 && event.isThin()) {
      LOG.log(
          Level.INFO,
          "Thin event notification {0} ({1}) acknowledged: no handler is"
              + " registered for its type",
          LogText.escape(event.id()),
          LogText.escape(event.type()));
    }
  }

  /**
   * Runs the handlers on a stored event now (a replay, an event recovered from Stripe), after its
   * stored bytes verify again; marks it done, failed or dead by the result.
   *
   * @throws IllegalStateException when the endpoint {@link #passesDown()}: the servlet or resource
   *     behind runs only in a delivery (check {@link #runsStoredEvents()} first)
   */
  @Override
  public Outcome process(String eventId) throws InboxException {
    if (passesDown) {
      throw new IllegalStateException(
          label
              + " has no handlers of its own: the servlet or"
              + " resource behind it processes events, and only in a delivery. Ask Stripe to send"
              + " event "
              + eventId
              + " again (Dashboard: Resend), or configure handlers.");
    }
    Outcome outcome = inbox.process(eventId, claimOwner(), this::processStored);
    if (outcome == Outcome.DEAD) {
      metrics.dead();
    }
    return outcome;
  }

  /** A worker's attempt on a due event. */
  private void processDue(InboxRecord record, HandlingContext context) throws Exception {
    try {
      processStored(record, context);
    } catch (Throwable e) {
      if (record.attempts() >= config.processing().attempts()) {
        metrics.dead(); // its last allowed attempt: the inbox marks it dead
      }
      throw e;
    }
  }

  private void processStored(InboxRecord record, HandlingContext context) throws Exception {
    VerifiedEvent event;
    try {
      event = record.verifyAgain(verifier);
    } catch (IllegalStateException e) {
      LOG.log(
          Level.ERROR,
          label
              + ": "
              + LogText.escape(e.getMessage())
              + "; attempt "
              + record.attempts()
              + " of "
              + config.processing().attempts()
              + " failed");
      throw e;
    }
    try {
      dispatch(
          event,
          context,
          "attempt "
              + record.attempts()
              + " of "
              + config.processing().attempts()
              + "; retried with backoff until then");
    } finally {
      clearInterrupt(event);
    }
  }

  private Decision storageUnavailable(VerifiedEvent event, InboxException e) {
    LOG.log(
        Level.ERROR,
        "Stripe event "
            + LogText.escape(event.id())
            + " ("
            + LogText.escape(event.type())
            + "): "
            + LogText.escape(e.getMessage())
            + "; answered 503 so that Stripe delivers it again");
    return Decision.refused(
        Reason.STORAGE_UNAVAILABLE,
        "The event could not be stored or"
            + " updated; Stripe will deliver it again. See the server log.",
        event);
  }

  /** Each claim has its own owner: a request must not finish another request's claim. */
  private String claimOwner() {
    return owner + "-" + claims.incrementAndGet();
  }

  /**
   * The delivery's line on {@value #DELIVERY_LOGGER} (the event, the answer, the reason code or
   * outcome, the time taken and the client; for a rejected delivery, what helps find the cause,
   * never a secret or a signature), its metrics and the alerts' counts.
   */
  private void record(Decision decision, String client, String rejection, long nanos) {
    Optional<VerifiedEvent> event = decision.event();
    metrics.delivery(event.isPresent(), decision.status(), decision.outcome(), nanos);
    if (event.isPresent()) {
      alerts.verified();
    } else if (rejection != null) {
      alerts.rejected();
    }
    if (!deliveryLogOn()) {
      return;
    }
    if (!logLimit.lineFor(System.nanoTime())) {
      logLimit.unlogged(decision.outcome());
      return;
    }
    logDelivery(deliveryLine(decision, event.orElse(null), client, rejection, nanos));
  }

  private static boolean deliveryLogOn() {
    JulLine jul = DELIVERIES_JUL;
    return jul != null ? jul.isLoggable() : DELIVERIES.isLoggable(Level.INFO);
  }

  /** Writes {@code line} at INFO on {@value #DELIVERY_LOGGER}. */
  private static void logDelivery(String line) {
    JulLine jul = DELIVERIES_JUL;
    if (jul != null) {
      jul.info(line);
    } else {
      DELIVERIES.log(Level.INFO, line);
    }
  }

  /** The text of the delivery's line, built in one buffer sized for it. */
  static String deliveryLine(
      Decision decision, VerifiedEvent event, String client, String rejection, long nanos) {
    String id = event == null ? null : LogText.escape(event.id());
    String type = event == null ? null : LogText.escape(event.type());
    String from = LogText.escape(client);
    String outcome = decision.outcome();
    int size =
        (event == null ? 10 : id.length() + type.length() + 3)
            + outcome.length()
            + from.length()
            + (rejection == null ? 0 : rejection.length() + 3)
            + 40; // status, " in ", the milliseconds, " ms from "
    StringBuilder line = new StringBuilder(size);
    if (event != null) {
      line.append(id).append(' ').append(type).append(": ");
    } else {
      line.append("rejected: ");
    }
    line.append(decision.status())
        .append(' ')
        .append(outcome)
        .append(" in ")
        .append(nanos / 1_000_000)
        .append(" ms from ")
        .append(from);
    if (rejection != null) {
      line.append(" (").append(rejection).append(')');
    }
    return line.toString();
  }

  /** What helps find why a delivery did not verify; nothing secret. */
  private String rejectionDetails(String header, byte[] body) {
    StringBuilder details = new StringBuilder();
    long signedAt = SignatureHeaderPeek.timestamp(header);
    if (signedAt > 0) {
      details
          .append("t=")
          .append(signedAt)
          .append(", clock offset ")
          .append(config.verification().clock().instant().getEpochSecond() - signedAt)
          .append(" s, ");
    } else {
      details.append(header == null ? "no header, " : "no readable t, ");
    }
    details
        .append("body ")
        .append(body.length)
        .append(" bytes sha256:")
        .append(SignatureHeaderPeek.sha256Prefix(body));
    return details.toString();
  }

  @Override
  public String toString() {
    return label
        + ": "
        + (passesDown
            ? "no handlers of its own, the processing behind"
                + (handlers.isEmpty() ? "" : " after " + handlers)
            : handlers.toString())
        + ", "
        + (async() ? "async" : "sync")
        + " processing, inbox "
        + inbox.getClass().getSimpleName();
  }

  /** Collects what an endpoint is made of; not thread safe. */
  public static final class Builder {
    private final WebhookConfig config;
    private EventHandlers handlers = EventHandlers.none();
    private Optional<StripeEventHandler> observers = Optional.empty();
    private EventInbox inbox;
    private DataSource dataSource;
    private Object meterRegistry;
    private ClassLoader loader;
    private String label;
    private Duration doorClaimLimit = DoorClaims.LIMIT;
    private StripeClient stripeClient;

    private Builder(WebhookConfig config) {
      this.config = Objects.requireNonNull(config, "config == null");
    }

    /** The endpoint's own handlers; with none, it passes events down to its door's processing. */
    public Builder handlers(EventHandlers handlers) {
      this.handlers = Objects.requireNonNull(handlers, "handlers == null");
      return this;
    }

    /** The CDI observers, run before the handlers' turn or the processing behind. */
    public Builder observers(Optional<StripeEventHandler> observers) {
      this.observers = Objects.requireNonNull(observers, "observers == null");
      return this;
    }

    /**
     * The CDI observers of the container running in {@code loader}'s application, if one runs and
     * someone observes Stripe events; a door calls this where its application may use CDI.
     */
    public Builder cdiObservers(ClassLoader loader) {
      return observers(CdiLookup.observers(loader));
    }

    /** The inbox; by default the one the configuration names (JDBC or in memory). */
    public Builder inbox(EventInbox inbox) {
      this.inbox = inbox;
      return this;
    }

    /**
     * The DataSource of the JDBC inbox when {@value WebhookConfig.Keys#DATASOURCE} names none;
     * null: in memory.
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /**
     * The client of Stripe's API the endpoint's thin notifications are bound to and fetches with,
     * instead of one built from {@value WebhookConfig.Keys#API_KEY}: for a client with its own
     * settings (a proxy, timeouts, or, in tests, an API base on a local server). Null: built from
     * the key, if one is configured, by {@link StripeApiAccess#client}, whose bounds (timeouts, no
     * retries, answer size, Stripe's hosts only) a given client has only if it is built so.
     */
    public Builder stripeClient(StripeClient client) {
      this.stripeClient = client;
      return this;
    }

    /** The Micrometer {@code MeterRegistry}; null: Micrometer's global one, if present. */
    public Builder meterRegistry(Object registry) {
      this.meterRegistry = registry;
      return this;
    }

    /** The application's class loader: alert listeners, Micrometer and CDI are looked up there. */
    public Builder classLoader(ClassLoader loader) {
      this.loader = loader;
      return this;
    }

    /** For tests: how long a door's processing may hold a claim. */
    Builder doorClaimLimit(Duration limit) {
      this.doorClaimLimit = limit;
      return this;
    }

    /** How log lines name the endpoint, such as {@code StripeWebhookFilter 'stripe-webhook'}. */
    public Builder label(String label) {
      this.label = label;
      return this;
    }

    /**
     * The endpoint, not started yet.
     *
     * @throws IllegalArgumentException naming the key when the configuration cannot work (async
     *     without handlers, an allow-list entry that is no address...)
     */
    public WebhookEndpoint build() {
      return new WebhookEndpoint(this);
    }
  }
}
