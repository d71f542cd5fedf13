// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import dev.stripewebhook.EventHandlerException;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.WebhookVerificationException;
import dev.stripewebhook.cdi.internal.CdiLookup;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.StoredEventProcessor;
import dev.stripewebhook.internal.InboxFactory;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * What the JAX-RS providers share: the configuration (resolved at start-up, or at the first
 * request when the secret is only in the servlet context), verification of entity bytes, the
 * event inbox of deliveries verified here, and the one dispatch of a delivery to the CDI
 * observers.
 *
 * <p>A delivery verified here (no {@link StripeWebhookFilter} in front) is recorded in the inbox
 * by event id: the filter's inbox when a filter runs in the application, else one of its own
 * made from the configuration. A redelivery of a done event is answered 200 without reaching the
 * resource method. When CDI observers want the event type, they are the processing: they run
 * in the claim that marks the event done (their writes through {@link
 * dev.stripewebhook.HandlingContext#current()} commit with it), then the resource method runs.
 * Otherwise the resource method is the processing: {@link CompleteDelivery} marks the event done
 * when it answers 2xx and failed when not.
 */
public final class Verification {
  private static final System.Logger LOG = System.getLogger(Verification.class.getName());

  private final Function<String, String> applicationProperties;
  private volatile SignatureVerifier verifier;
  private volatile WebhookConfig config;
  private volatile Optional<StripeEventHandler> observers;
  private volatile EventInbox ownInbox;
  private final String owner = "jaxrs-pid" + ProcessHandle.current().pid() + "-"
      + UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong claims = new AtomicLong();

  /** The request attribute naming an event the resource method is to complete: {@value}. */
  static final String PENDING_ATTRIBUTE = "dev.stripewebhook.jaxrs.pending";

  private Verification(WebhookConfig config, Function<String, String> applicationProperties) {
    this.config = config;
    this.verifier = config == null ? null : SignatureVerifier.create(config);
    this.applicationProperties = applicationProperties;
  }

  /** Verification with {@code config}. */
  public static Verification of(WebhookConfig config) {
    return new Verification(config, key -> null);
  }

  /**
   * Verification configured from the application's properties, system properties and the
   * environment; when they hold no secret, the servlet context is asked at the first request.
   *
   * @throws IllegalArgumentException when a value is invalid: the application fails to start
   */
  public static Verification fromSources(Function<String, String> applicationProperties) {
    try {
      return new Verification(WebhookConfig.fromSources(applicationProperties,
          System::getProperty, System::getenv), applicationProperties);
    } catch (IllegalStateException noSecretYet) {
      return new Verification(null, applicationProperties);
    }
  }

  /** The delivery {@link StripeWebhookFilter} (or an earlier provider) verified, or null. */
  static VerifiedEvent verified(HttpServletRequest request) {
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
   * Reads the entity, at most the configured limit; the declared length is checked first, so a
   * too large body is never buffered.
   */
  byte[] read(HttpServletRequest request, InputStream entity, String contentLength) {
    int max = config(request).maxBodySize();
    if (contentLength != null && !contentLength.isBlank()) {
      long declared;
      try {
        declared = Long.parseLong(contentLength.trim());
      } catch (NumberFormatException e) {
        declared = -1;
      }
      if (declared > max) {
        throw tooLarge("Content-Length " + declared + " is over the limit of " + max + " bytes");
      }
    }
    try {
      byte[] body = entity.readNBytes(max + 1);
      if (body.length > max) {
        throw tooLarge("the body is over the limit of " + max + " bytes");
      }
      return body;
    } catch (IOException e) {
      throw new WebhookRejection(400, "body-unreadable", "Request body unreadable",
          "The request body could not be read: " + e.getClass().getSimpleName() + ".");
    }
  }

  /** Verifies the entity's bytes and keeps the result on the request. */
  VerifiedEvent verify(HttpServletRequest request, byte[] body, String signature) {
    config(request);
    try {
      VerifiedEvent event = verifier.verify(body, signature);
      if (request != null) {
        request.setAttribute(StripeWebhookFilter.EVENT_ATTRIBUTE, event);
      }
      return event;
    } catch (WebhookVerificationException e) {
      LOG.log(Level.DEBUG, "Stripe webhook rejected: {0}: {1}", e.reason().code(),
          e.getMessage());
      throw new WebhookRejection(400, e.reason().code(), "Webhook verification failed",
          e.getMessage());
    }
  }

  /** Fires the event to the CDI observers, unless the filter or another provider did. */
  void dispatchOnce(HttpServletRequest request, VerifiedEvent event) {
    if (request != null && request.getAttribute(StripeWebhookFilter.DISPATCHED_ATTRIBUTE) != null) {
      return;
    }
    dispatchToObservers(event);
    if (request != null) {
      request.setAttribute(StripeWebhookFilter.DISPATCHED_ATTRIBUTE, Boolean.TRUE);
    }
  }

  /**
   * Records a delivery verified here in the inbox and runs the CDI observers that want it, in
   * the claim that marks it done; when none wants it, leaves the event for {@link
   * CompleteDelivery}.
   *
   * @throws WebhookRejection that answers the request instead of the resource method: 200 for a
   *     redelivery of a done event, 409 while another delivery holds it, 500 when an observer
   *     failed, 503 when the inbox is unavailable
   */
  void record(HttpServletRequest request, VerifiedEvent event, String signatureHeader) {
    EventInbox inbox = inbox(request);
    try {
      if (inbox.receive(event, signatureHeader, request == null ? null
          : request.getRemoteAddr()) == Receipt.DONE) {
        throw WebhookRejection.acknowledged();
      }
      EventHandlers wanted = observersOf(event);
      if (wanted.isEmpty()) {
        if (request != null) {
          request.setAttribute(PENDING_ATTRIBUTE, event.id());
        }
        return;
      }
      Outcome outcome = inbox.process(event.id(), nextOwner(), (record, context) -> {
        try {
          wanted.dispatch(event, context);
        } catch (EventHandlerException e) {
          LOG.log(Level.ERROR, e.getMessage() + "; answered 500 so that Stripe retries");
          throw e;
        }
      });
      if (request != null) {
        request.setAttribute(StripeWebhookFilter.DISPATCHED_ATTRIBUTE, Boolean.TRUE);
      }
      switch (outcome) {
        case DONE, SUPERSEDED -> {
          // processed: the resource method answers
        }
        case ALREADY_DONE -> throw WebhookRejection.acknowledged();
        case FAILED, DEAD -> throw handlerFailed();
        case BUSY, LEASE_LOST -> throw WebhookRejection.inProgress();
        case UNKNOWN -> throw storageUnavailable(event,
            new InboxException("event " + event.id() + " vanished from the inbox"));
      }
    } catch (InboxException e) {
      throw storageUnavailable(event, e);
    }
  }

  /**
   * Marks the event {@link #record} left pending done when the resource method answered 2xx,
   * failed otherwise, so that a redelivery runs it again.
   */
  void complete(HttpServletRequest request, String eventId, int status) {
    try {
      inbox(request).process(eventId, nextOwner(), (record, context) -> {
        if (status < 200 || status > 299) {
          throw new IllegalStateException("the resource method answered " + status);
        }
      });
    } catch (InboxException e) {
      LOG.log(Level.ERROR, "Stripe event " + eventId + " was handled but cannot be marked done: "
          + e.getMessage() + "; a redelivery will run it again");
    }
  }

  /** The inbox of the filter running in this application, else one of our own. */
  private EventInbox inbox(HttpServletRequest request) {
    ServletContext context = request == null ? null : request.getServletContext();
    if (context != null && context.getAttribute(StoredEventProcessor.ATTRIBUTE)
        instanceof StoredEventProcessor processor) {
      return processor.inbox();
    }
    EventInbox inbox = ownInbox;
    if (inbox != null) {
      return inbox;
    }
    synchronized (this) {
      if (ownInbox == null) {
        Object given = context == null ? null
            : context.getAttribute(StripeWebhookFilter.DATASOURCE_ATTRIBUTE);
        ownInbox = InboxFactory.create(config(request),
            given instanceof DataSource dataSource ? dataSource : null);
      }
      return ownInbox;
    }
  }

  private String nextOwner() {
    return owner + "-" + claims.incrementAndGet();
  }

  private static WebhookRejection handlerFailed() {
    return new WebhookRejection(500, "handler-failed", "Event handling failed",
        "A handler failed for this event; Stripe will retry it. See the server log.");
  }

  private static WebhookRejection storageUnavailable(VerifiedEvent event, InboxException e) {
    LOG.log(Level.ERROR, "Stripe event " + event.id() + " (" + event.type() + "): "
        + e.getMessage() + "; answered 503 so that Stripe delivers it again");
    return new WebhookRejection(503, "storage-unavailable", "Event storage unavailable",
        "The event could not be stored or updated; Stripe will deliver it again. See the server"
            + " log.");
  }

  private static WebhookRejection tooLarge(String detail) {
    return new WebhookRejection(413, "body-too-large", "Payload too large", detail + ".");
  }

  private WebhookConfig config(HttpServletRequest request) {
    WebhookConfig current = config;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (config == null) {
        ServletContext context = request == null ? null : request.getServletContext();
        try {
          WebhookConfig resolved = WebhookConfig.fromSources(applicationProperties,
              context == null ? key -> null : context::getInitParameter,
              System::getProperty, System::getenv);
          verifier = SignatureVerifier.create(resolved);
          config = resolved;
        } catch (RuntimeException e) {
          LOG.log(Level.ERROR, "StripeWebhookFeature cannot verify requests: " + e.getMessage());
          throw new WebhookRejection(500, "not-configured", "Webhook endpoint not configured",
              "The webhook endpoint has no valid signing secret configured; see the server log.");
        }
      }
      return config;
    }
  }

  private void dispatchToObservers(VerifiedEvent event) {
    try {
      observersOf(event).dispatch(event);
    } catch (EventHandlerException e) {
      LOG.log(Level.ERROR, e.getMessage() + "; answered 500 so that Stripe retries");
      throw handlerFailed();
    }
  }

  /** The CDI observers, when they want this event's type; none otherwise. */
  private EventHandlers observersOf(VerifiedEvent event) {
    Optional<StripeEventHandler> found = observers;
    if (found == null) {
      found = observers = CdiLookup.observers(Verification.class.getClassLoader());
    }
    if (found.isEmpty()) {
      return EventHandlers.none();
    }
    EventHandlers all = EventHandlers.of(found.get());
    return all.forType(event.type()).isEmpty() ? EventHandlers.none() : all;
  }
}
