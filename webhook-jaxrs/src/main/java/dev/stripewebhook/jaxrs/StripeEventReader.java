// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.model.v2.core.EventNotification;
import dev.stripewebhook.Reason;
import dev.stripewebhook.ThinEventFetchException;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.jaxrs.internal.Verification;
import dev.stripewebhook.jaxrs.internal.WebhookRejection;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Reads {@link StripeEvent} parameters, and only those: for them it wins over any JSON provider, as
 * JAX-RS prefers application providers, and it reads the raw entity bytes itself.
 */
@Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
final class StripeEventReader implements MessageBodyReader<Object> {
  private static final System.Logger LOG = System.getLogger(StripeEventReader.class.getName());
  private final Verification verification;

  @Context private HttpServletRequest request;

  StripeEventReader(Verification verification) {
    this.verification = verification;
  }

  @Override
  public boolean isReadable(
      Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
    for (Annotation annotation : annotations) {
      if (annotation instanceof StripeEvent) {
        return type == VerifiedEvent.class
            || type == Event.class
            || EventNotification.class.isAssignableFrom(type)
            || (StripeObject.class.isAssignableFrom(type) && !Event.class.isAssignableFrom(type));
      }
    }
    return false;
  }

  @Override
  public Object readFrom(
      Class<Object> type,
      Type genericType,
      Annotation[] annotations,
      MediaType mediaType,
      MultivaluedMap<String, String> headers,
      InputStream entity) {
    HttpServletRequest servletRequest = request;
    VerifiedEvent event = Verification.verified(servletRequest);
    if (event == null) {
      event = verification.admit(servletRequest, entity);
    }
    if (event.isThin()
        && !VerifiedEvent.class.equals(type)
        && !EventNotification.class.isAssignableFrom(type)) {
      return snapshotOfThin(event, type);
    }
    Object value = valueOf(event, type);
    if (!type.isInstance(value)) {
      throw WebhookRejection.of(
          Reason.UNEXPECTED_DATA_OBJECT,
          "Event "
              + event.id()
              + " ("
              + event.type()
              + ") carries "
              + (value == null ? "nothing" : "a " + value.getClass().getSimpleName())
              + ", not the "
              + type.getSimpleName()
              + " this endpoint takes.");
    }
    return value;
  }

  /**
   * A snapshot type for a thin event: fetched, with {@value WebhookConfig.Keys#THIN_EVENTS}{@code
   * =fetch} and an API key; else, and when the fetch fails, a 5xx, so that Stripe retries and the
   * event stays recorded (failed), visible and replayable: never the 400 of a body that is not an
   * event.
   */
  private static Object snapshotOfThin(VerifiedEvent event, Class<?> type) {
    String what = "Event " + event.id() + " (" + event.type() + ") is a thin event notification";
    if (!event.fetchesSnapshot()) {
      throw WebhookRejection.of(
          Reason.THIN_EVENT_NEEDS_API_KEY,
          what
              + ": its "
              + type.getSimpleName()
              + " would have to be fetched from Stripe's API. Declare the parameter as"
              + " EventNotification (or its typed subclass); or, when its related object is of API"
              + " v1, set "
              + WebhookConfig.Keys.API_KEY
              + " (STRIPE_API_KEY) and "
              + WebhookConfig.Keys.THIN_EVENTS
              + "=fetch; or switch the event destination to snapshot payloads.");
    }
    Object value;
    try {
      value = valueOf(event, type);
    } catch (ThinEventFetchException e) {
      LOG.log(Level.ERROR, e.getMessage() + "; answered 500 so that Stripe retries");
      throw WebhookRejection.of(
          Reason.THIN_EVENT_FETCH_FAILED,
          what
              + ": fetching its related object from Stripe's API failed; Stripe will deliver it"
              + " again. See the server log.");
    } catch (IllegalStateException e) {
      value = null; // a related object that is no snapshot event, asked for as an Event
    }
    if (!type.isInstance(value)) {
      throw WebhookRejection.of(
          Reason.THIN_EVENT_NEEDS_API_KEY,
          what
              + ": its related object, fetched, is "
              + (value == null ? "no snapshot event" : "a " + value.getClass().getSimpleName())
              + ", not the "
              + type.getSimpleName()
              + " this endpoint takes. Declare the parameter as EventNotification (or its typed"
              + " subclass), or switch the event destination to snapshot payloads.");
    }
    return value;
  }

  private static Object valueOf(VerifiedEvent event, Class<?> type) {
    if (type == VerifiedEvent.class) {
      return event;
    }
    if (EventNotification.class.isAssignableFrom(type)) {
      return event.isThin() ? event.eventNotification() : null;
    }
    return type == Event.class ? event.event() : event.dataObject();
  }
}
