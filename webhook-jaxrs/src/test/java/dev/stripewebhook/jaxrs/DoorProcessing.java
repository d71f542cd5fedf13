// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The processing behind a door of {@link DoorGuaranteesTest}: the same for every door, whether it
 * runs as handlers, as the servlet behind the filter or as a JAX-RS resource. Counts its runs per
 * event id; can be told to be slow, or to fail, for an id.
 */
final class DoorProcessing {
  /** The servlet context attribute holding the processing of a JAX-RS resource: {@value}. */
  static final String ATTRIBUTE = "dev.stripewebhook.jaxrs.door-processing";

  /** What every fault says: no answer may show it. */
  static final String FAULT_TEXT = "ledger down at db-7.internal";

  /** How the processing fails for an event. */
  enum Fault {
    THROWS_RUNTIME_EXCEPTION,
    THROWS_ASSERTION_ERROR,
    /** Only where the processing answers the request: the servlet behind, a resource. */
    ANSWERS_500
  }

  private static final long SLOW_MILLIS = 300;

  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final Map<String, Fault> faults = new ConcurrentHashMap<>();
  private final Set<String> slow = ConcurrentHashMap.newKeySet();

  /** Runs for {@code eventId}: counts, then fails as told; returns the status to answer. */
  int run(String eventId) {
    runs.computeIfAbsent(eventId, id -> new AtomicInteger()).incrementAndGet();
    if (slow.contains(eventId)) {
      pause(SLOW_MILLIS);
    }
    Fault fault = faults.get(eventId);
    if (fault == null) {
      return 200;
    }
    return switch (fault) {
      case THROWS_RUNTIME_EXCEPTION -> throw new IllegalStateException(FAULT_TEXT);
      case THROWS_ASSERTION_ERROR -> throw new AssertionError(FAULT_TEXT);
      case ANSWERS_500 -> 500;
    };
  }

  /** How often the processing ran for {@code eventId}, failed runs included. */
  int runs(String eventId) {
    AtomicInteger count = runs.get(eventId);
    return count == null ? 0 : count.get();
  }

  void fail(String eventId, Fault fault) {
    faults.put(eventId, fault);
  }

  void heal(String eventId) {
    faults.remove(eventId);
  }

  void slow(String eventId) {
    slow.add(eventId);
  }

  /** The processing as the endpoint's handler of every event type. */
  StripeEventHandler handler() {
    return new StripeEventHandler() {
      @Override
      public Set<String> eventTypes() {
        return Set.of("*");
      }

      @Override
      public void handle(VerifiedEvent event) {
        run(event.id());
      }
    };
  }

  /** The processing as the servlet behind a filter without handlers: its status decides. */
  HttpServlet servlet() {
    return new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void doPost(HttpServletRequest request, HttpServletResponse response)
          throws IOException {
        int status = run(StripeWebhookFilter.verifiedEvent(request).id());
        response.setStatus(status);
        response.setContentType("application/json");
        response.getWriter().write("{\"processed\":" + (status == 200) + "}");
      }
    };
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
