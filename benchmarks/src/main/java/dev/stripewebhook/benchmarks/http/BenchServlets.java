// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeObject;
import com.stripe.net.Webhook;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/** The servlets and the handler behind the set-ups. */
final class BenchServlets {
  private BenchServlets() {}

  /** Reads the whole body and answers 200. */
  static final class Bare extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      request.getInputStream().readAllBytes();
      response.setStatus(200);
    }
  }

  /** What users write by hand today: stripe-java's verifier on the body as a String. */
  static final class HandWritten extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient String secret;
    private final transient LongAdder amounts = new LongAdder();

    HandWritten(String secret) {
      this.secret = secret;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      byte[] body = request.getInputStream().readAllBytes();
      Event event;
      try {
        event =
            Webhook.constructEvent(
                new String(body, StandardCharsets.UTF_8),
                request.getHeader("Stripe-Signature"),
                secret);
      } catch (SignatureVerificationException e) {
        response.setStatus(400);
        return;
      }
      var deserializer = event.getDataObjectDeserializer();
      StripeObject object;
      try {
        object =
            deserializer.getObject().isPresent()
                ? deserializer.getObject().get()
                : deserializer.deserializeUnsafe();
      } catch (EventDataObjectDeserializationException e) {
        response.setStatus(400);
        return;
      }
      amounts.add(((PaymentIntent) object).getAmount());
      response.setStatus(200);
    }
  }

  /** Uses the full typed data object: the PaymentIntent, and one of its fields. */
  static final class PaymentIntentHandler implements StripeEventHandler {
    private final LongAdder handled = new LongAdder();
    private final LongAdder amounts = new LongAdder();

    @Override
    public Set<String> eventTypes() {
      return Set.of("payment_intent.succeeded");
    }

    @Override
    public void handle(VerifiedEvent event) {
      PaymentIntent intent = (PaymentIntent) event.dataObject();
      amounts.add(intent.getAmount());
      handled.increment();
    }

    /** How many events it has handled. */
    long handled() {
      return handled.sum();
    }
  }
}
