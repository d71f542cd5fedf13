// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread, {@code stripe-webhook-timer}, for the short chores of every open endpoint (the
 * door claims' sweep, the delivery log's summaries): each takes microseconds and never blocks. It
 * runs only while an endpoint is open: when the last one closes it stops, so that an undeployed
 * application leaves no thread of the library behind.
 */
final class SharedTimer {
  /** The timer of the endpoints in this class loader. */
  static final SharedTimer ENDPOINTS = new SharedTimer();

  private ScheduledExecutorService executor; // guarded by this
  private int open; // endpoints between use() and release(); guarded by this

  /** An endpoint opened: the timer may run chores for it until {@link #release()}. */
  synchronized void use() {
    open++;
  }

  /** An endpoint closed: the last one stops the timer and cancels what was left. */
  synchronized void release() {
    if (open > 0 && --open == 0 && executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  /** Runs {@code task} once after {@code seconds}; false, not running it, when none is open. */
  synchronized boolean once(Runnable task, long seconds) {
    if (open == 0) {
      return false;
    }
    executor().schedule(task, seconds, TimeUnit.SECONDS);
    return true;
  }

  /** Runs {@code task} every {@code seconds}; null, not running it, when no endpoint is open. */
  synchronized ScheduledFuture<?> every(Runnable task, long seconds) {
    return open == 0
        ? null
        : executor().scheduleWithFixedDelay(task, seconds, seconds, TimeUnit.SECONDS);
  }

  /** Whether the timer's thread is running; for tests. */
  synchronized boolean running() {
    return executor != null;
  }

  private ScheduledExecutorService executor() {
    if (executor == null) {
      executor =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "stripe-webhook-timer");
                thread.setDaemon(true);
                return thread;
              });
    }
    return executor;
  }
}
