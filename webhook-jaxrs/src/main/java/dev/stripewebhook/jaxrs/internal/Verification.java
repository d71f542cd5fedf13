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
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the JAX-RS providers share: the configuration (resolved at start-up, or at the first
 * request when the secret is only in the servlet context), verification of entity bytes, and the
 * one dispatch of a delivery to the CDI observers.
 */
public final class Verification {
  private static final System.Logger LOG = System.getLogger(Verification.class.getName());

  private final Function<String, String> applicationProperties;
  private volatile SignatureVerifier verifier;
  private volatile WebhookConfig config;
  private volatile Optional<StripeEventHandler> observers;

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
    Optional<StripeEventHandler> found = observers;
    if (found == null) {
      found = observers = CdiLookup.observers(Verification.class.getClassLoader());
    }
    if (found.isEmpty()) {
      return;
    }
    try {
      EventHandlers.of(found.get()).dispatch(event);
    } catch (EventHandlerException e) {
      LOG.log(Level.ERROR, e.getMessage() + "; answered 500 so that Stripe retries");
      throw new WebhookRejection(500, "handler-failed", "Event handling failed",
          "A handler failed for this event; Stripe will retry it. See the server log.");
    }
  }
}
