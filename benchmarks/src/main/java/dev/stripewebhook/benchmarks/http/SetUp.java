// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

/** The receivers measured, each served on its own path of one server. */
enum SetUp {
  /** A servlet that reads the whole body and answers 200. */
  BARE("bare", Store.NONE, false),
  /** The same servlet with {@code Webhook.constructEvent} and {@code getObject()}. */
  HAND_WRITTEN("hand-written", Store.NONE, false),
  /** The filter in front of the bare servlet, no handler, in-memory inbox. */
  FILTER("filter", Store.MEMORY, false),
  /**
   * As {@link #FILTER}, with the delivery log ({@code dev.stripewebhook.delivery}) silenced during
   * its turns; every other set-up runs with it at its default, INFO, as deployments do.
   */
  FILTER_QUIET("filter-quiet", Store.MEMORY, false),
  /**
   * As {@link #FILTER}, with every delivery given its own line on the delivery log ({@code
   * stripe.webhook.delivery-log.lines-per-second=0}), as before the library's default limit.
   */
  FILTER_EVERY_LINE("filter-every-line", Store.MEMORY, false),
  /** The filter with a sync handler that reads the typed PaymentIntent, in-memory inbox. */
  SYNC_FULL("sync-full", Store.MEMORY, false),
  /**
   * A JAX-RS resource (Jersey) taking {@code @StripeEvent PaymentIntent}, with {@code
   * StripeWebhookFeature} and its default in-memory inbox.
   */
  JAXRS_TYPED("jaxrs-typed", Store.NONE, false),
  /**
   * A JAX-RS resource (Jersey) that takes the body as bytes and nothing else: what Jersey costs
   * before the library does anything, the ceiling of {@link #JAXRS_TYPED}.
   */
  JAXRS_BARE("jaxrs-bare", Store.NONE, false),
  /** As {@link #SYNC_FULL}, inbox on an H2 file database with {@code WRITE_DELAY=0}. */
  SYNC_H2("sync-h2", Store.H2, false),
  /** As {@link #SYNC_FULL}, inbox on PostgreSQL (embedded, on loopback). */
  SYNC_POSTGRES("sync-postgres", Store.POSTGRES, false),
  /** Async acknowledgement, in-memory inbox; the handler runs in the workers. */
  ASYNC_MEMORY("async-memory", Store.MEMORY, true),
  /** Async acknowledgement, H2 file database with {@code WRITE_DELAY=0}. */
  ASYNC_H2("async-h2", Store.H2, true),
  /** Async acknowledgement, PostgreSQL (embedded, on loopback). */
  ASYNC_POSTGRES("async-postgres", Store.POSTGRES, true),
  /** As {@link #ASYNC_H2}, with H2's default write delay (commits reach the disk later). */
  ASYNC_H2_DELAYED("async-h2-delay", Store.H2_DELAYED, true);

  /** Where the filter's inbox keeps events; {@code NONE}: no filter. */
  enum Store {
    NONE,
    MEMORY,
    H2,
    H2_DELAYED,
    POSTGRES
  }

  private final String label;
  private final Store store;
  private final boolean async;

  SetUp(String label, Store store, boolean async) {
    this.label = label;
    this.store = store;
    this.async = async;
  }

  String label() {
    return label;
  }

  String path() {
    return "/" + label;
  }

  Store store() {
    return store;
  }

  boolean async() {
    return async;
  }

  /**
   * Whether an event handler runs (in the request, or in the inbox workers), or a resource method
   * is called with the typed object.
   */
  boolean handles() {
    return this == JAXRS_TYPED
        || store != Store.NONE
            && this != FILTER
            && this != FILTER_QUIET
            && this != FILTER_EVERY_LINE;
  }

  /** Whether the set-up binds the typed PaymentIntent, as the hand-written servlet does. */
  boolean typed() {
    return this == HAND_WRITTEN || handles();
  }

  static SetUp of(String label) {
    for (SetUp setUp : values()) {
      if (setUp.label.equals(label)) {
        return setUp;
      }
    }
    throw new IllegalArgumentException("unknown set-up " + label);
  }
}
