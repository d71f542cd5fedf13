// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

/** The receivers measured, each served on its own path of one server. */
enum SetUp {
  /** A servlet that reads the whole body and answers 200. */
  BARE("bare"),
  /** The same servlet with {@code Webhook.constructEvent} and {@code getObject()}. */
  HAND_WRITTEN("hand-written"),
  /** The filter in front of the bare servlet, no handler, in-memory inbox. */
  FILTER("filter"),
  /** The filter with a sync handler that reads the typed PaymentIntent. */
  SYNC_FULL("sync-full"),
  /** Async acknowledgement, in-memory inbox; the handler runs in the workers. */
  ASYNC_MEMORY("async-memory"),
  /** Async acknowledgement, H2 file database with {@code WRITE_DELAY=0}. */
  ASYNC_H2("async-h2"),
  /** As {@link #ASYNC_H2}, with H2's default write delay (commits reach the disk later). */
  ASYNC_H2_DELAYED("async-h2-delay");

  private final String label;

  SetUp(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  String path() {
    return "/" + label;
  }

  boolean async() {
    return this == ASYNC_MEMORY || this == ASYNC_H2 || this == ASYNC_H2_DELAYED;
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
