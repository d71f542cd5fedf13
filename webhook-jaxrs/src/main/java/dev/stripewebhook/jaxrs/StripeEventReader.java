// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.model.v2.core.EventNotification;
import dev.stripewebhook.Reason;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.jaxrs.internal.Verification;
import dev.stripewebhook.jaxrs.internal.WebhookRejection;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Reads {@link StripeEvent} parameters, and only those: for them it wins over any JSON provider, as
 * JAX-RS prefers application providers, and it reads the raw entity bytes itself.
 */
@Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
final class StripeEventReader implements MessageBodyReader<Object> {
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
      // A genuine delivery this resource cannot take yet: a 5xx, so that Stripe retries and the
      // event stays recorded (failed) and visible; never the 400 of a body that is not an event.
      throw WebhookRejection.of(
          Reason.THIN_EVENT_NEEDS_API_KEY,
          "Event "
              + event.id()
              + " ("
              + event.type()
              + ") is a thin event notification: its "
              + type.getSimpleName()
              + " would have to be fetched from Stripe's API, which this library does not do yet."
              + " Declare the parameter as EventNotification (or its typed subclass), or switch"
              + " the event destination to snapshot payloads.");
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
