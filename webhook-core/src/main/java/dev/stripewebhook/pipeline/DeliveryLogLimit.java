// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * How many deliveries get a line of their own in the delivery log: up to {@code perSecond} in each
 * second, the others counted by outcome and told in one summary line about a second later. At the
 * rates Stripe delivers to one endpoint every delivery keeps its line; a flood (a backlog after an
 * outage, or forged requests) cannot make the log the request path's bottleneck or fill a disk.
 *
 * <p>A quiet endpoint may log {@code perSecond} lines at once; under a flood the lines then come
 * one every 1/{@code perSecond} of a second, so that request threads do not queue for the log
 * handler's lock as they would if a second's lines all came at its start (a generic cell rate
 * algorithm). Lock-free on the request path: one compare-and-set for a line, one counter for a
 * delivery without one.
 */
final class DeliveryLogLimit {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final int perSecond;
  private final long spacing;
  private final Later later;
  private final Consumer<String> summaries;

  /**
   * When ({@link System#nanoTime()}) the lines given so far would have been written, one every
   * {@link #spacing}: a line is given while that stays within a second from now.
   */
  private final AtomicLong linesUntil = new AtomicLong(System.nanoTime() - SECOND);

  private final Map<String, LongAdder> unlogged = new ConcurrentHashMap<>();
  private final AtomicBoolean summaryDue = new AtomicBoolean();
  private volatile long countingSince;

  /** Runs a task once, some seconds from now. */
  @FunctionalInterface
  interface Later {
    void run(Runnable task, long seconds);
  }

  /**
   * A limit of {@code perSecond} lines a second ({@code 0}: every delivery its line) whose summary
   * lines go to {@code summaries}, written when {@code later} runs them.
   */
  DeliveryLogLimit(int perSecond, Later later, Consumer<String> summaries) {
    if (perSecond < 0) {
      throw new IllegalArgumentException("perSecond < 0");
    }
    this.perSecond = perSecond;
    this.spacing = perSecond == 0 ? 0 : SECOND / perSecond;
    this.later = later;
    this.summaries = summaries;
  }

  /** Whether a delivery answered at {@code nanoTime} gets a line of its own. */
  boolean lineFor(long nanoTime) {
    if (perSecond == 0) {
      return true;
    }
    while (true) {
      long until = linesUntil.get();
      long next = (until - nanoTime > 0 ? until : nanoTime) + spacing;
      if (next - nanoTime > SECOND) {
        return false;
      }
      if (linesUntil.compareAndSet(until, next)) {
        return true;
      }
    }
  }

  /**
   * Counts a delivery that got no line of its own under {@code outcome}; the summary follows about
   * a second later.
   */
  void unlogged(String outcome) {
    LongAdder count = unlogged.get(outcome);
    if (count == null) {
      count = unlogged.computeIfAbsent(outcome, any -> new LongAdder());
    }
    count.increment();
    if (!summaryDue.get() && summaryDue.compareAndSet(false, true)) {
      countingSince = System.nanoTime();
      later.run(this::summarize, 1);
    }
  }

  /** Writes the summary of the deliveries counted since the last one, if there were any. */
  void summarize() {
    long since = countingSince;
    summaryDue.set(false);
    Map<String, Long> counts = new TreeMap<>();
    long total = 0;
    for (Map.Entry<String, LongAdder> entry : unlogged.entrySet()) {
      long count = entry.getValue().sumThenReset();
      if (count > 0) {
        counts.put(entry.getKey(), count);
        total += count;
      }
    }
    if (total == 0) {
      return;
    }
    StringBuilder line =
        new StringBuilder()
            .append(total)
            .append(total == 1 ? " delivery" : " deliveries")
            .append(" in the last ")
            .append(Math.max(1, (System.nanoTime() - since) / 1_000_000))
            .append(" ms had no line of their own (more than ")
            .append(perSecond)
            .append(" a second):");
    String separator = " ";
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      line.append(separator).append(entry.getValue()).append(' ').append(entry.getKey());
      separator = ", ";
    }
    summaries.accept(line.toString());
  }
}
