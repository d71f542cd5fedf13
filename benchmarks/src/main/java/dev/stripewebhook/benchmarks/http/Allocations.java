// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the server side of this JVM, from HotSpot's per-thread counters: every live
 * thread except the load generator's ({@value LoadGenerator#THREAD_PREFIX}...) and the calling
 * (measuring) thread. Threads that end between two readings take their count with them, so the
 * server's pools are configured not to retire threads.
 */
final class Allocations {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  /** The sum of the counters of the server-side threads now. */
  static long serverSide() {
    long self = Thread.currentThread().getId();
    long total = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getId() == self || thread.getName().startsWith(LoadGenerator.THREAD_PREFIX)) {
        continue;
      }
      long bytes = THREADS.getThreadAllocatedBytes(thread.getId());
      if (bytes > 0) {
        total += bytes;
      }
    }
    return total;
  }
}
