// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One daemon thread, {@code stripe-webhook-timer}, for the pipeline's short periodic chores of
 * every endpoint (the door claims' sweep, the delivery log's summaries): each is a few
 * microseconds, never blocking. Started with the first chore.
 */
final class SharedTimer {
  static final ScheduledExecutorService INSTANCE =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "stripe-webhook-timer");
            thread.setDaemon(true);
            return thread;
          });

  private SharedTimer() {}
}
