// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread, {@code stripe-webhook-timer}, for the short chores of every endpoint (the door
 * claims' sweep, the delivery log's summaries): each takes microseconds and never blocks. The
 * thread starts with a chore and ends 30 seconds after the last one, so that nothing outlives an
 * application that stopped (an endpoint cancels its periodic chore when it closes), as the inbox's
 * lease threads do.
 */
final class SharedTimer {
  private static final ScheduledThreadPoolExecutor EXECUTOR = executor();

  private SharedTimer() {}

  /** Runs {@code task} once, {@code seconds} from now. */
  static void once(Runnable task, long seconds) {
    EXECUTOR.schedule(task, seconds, TimeUnit.SECONDS);
  }

  /** Runs {@code task} every {@code seconds} until the returned future is cancelled. */
  static ScheduledFuture<?> every(Runnable task, long seconds) {
    return EXECUTOR.scheduleWithFixedDelay(task, seconds, seconds, TimeUnit.SECONDS);
  }

  /** How many threads the timer has now (0 or 1); for tests. */
  static int threads() {
    return EXECUTOR.getPoolSize();
  }

  private static ScheduledThreadPoolExecutor executor() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "stripe-webhook-timer");
              thread.setDaemon(true);
              return thread;
            });
    executor.setKeepAliveTime(30, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
