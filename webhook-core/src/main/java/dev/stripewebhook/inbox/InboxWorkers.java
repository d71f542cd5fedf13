// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A few daemon threads that process an inbox's due events (async processing) and prune it once an
 * hour. Each poll claims due events in batches until none is left; {@link #wake()} polls at once,
 * so a new event does not wait for the next poll. Failures back off as {@link EventInbox} says;
 * storage errors are logged and the next poll tries again.
 *
 * <pre>{@code
 * InboxWorkers workers = InboxWorkers.processing(inbox, "app-1", (record, context) -> ...);
 * workers.start();
 * ...
 * workers.close();
 * }</pre>
 *
 * @since 0.1
 */
public final class InboxWorkers implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(InboxWorkers.class.getName());
  private static final AtomicInteger POOLS = new AtomicInteger();
  private static final int BATCH = 10;
  private static final Duration PRUNE_INTERVAL = Duration.ofHours(1);

  private final EventInbox inbox;
  private final String owner;
  private final EventInbox.Work work;
  private final int threads;
  private final Duration pollInterval;
  private final AtomicLong claims = new AtomicLong();
  private final AtomicBoolean wakeQueued = new AtomicBoolean();
  private final ScheduledExecutorService executor;

  private InboxWorkers(
      EventInbox inbox, String owner, EventInbox.Work work, int threads, Duration pollInterval) {
    this.inbox = Objects.requireNonNull(inbox, "inbox == null");
    this.owner = Objects.requireNonNull(owner, "owner == null");
    this.work = work;
    this.threads = threads;
    this.pollInterval = pollInterval;
    int pool = POOLS.incrementAndGet();
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory =
        runnable -> {
          Thread thread =
              new Thread(runnable, "stripe-webhook-inbox-" + pool + "-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    this.executor = Executors.newScheduledThreadPool(threads, factory);
  }

  /**
   * Workers that run {@code work} on due events, polling every second with two threads, and prune.
   *
   * @param owner names this instance in the inbox's {@code lease_owner} (each claim adds a number);
   *     never put a secret in it
   */
  public static InboxWorkers processing(EventInbox inbox, String owner, EventInbox.Work work) {
    return processing(inbox, owner, work, 2);
  }

  /** As {@link #processing(EventInbox, String, EventInbox.Work)}, with {@code threads} threads. */
  public static InboxWorkers processing(
      EventInbox inbox, String owner, EventInbox.Work work, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    return new InboxWorkers(
        inbox, owner, Objects.requireNonNull(work, "work == null"), threads, Duration.ofSeconds(1));
  }

  /** One thread that only prunes the inbox (sync processing). */
  public static InboxWorkers pruning(EventInbox inbox) {
    return new InboxWorkers(inbox, "pruner", null, 1, Duration.ofSeconds(1));
  }

  /** Starts polling and pruning; call once. */
  public void start() {
    if (work != null) {
      for (int i = 0; i < threads; i++) {
        executor.scheduleWithFixedDelay(
            this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    executor.scheduleWithFixedDelay(
        this::prune, 0, PRUNE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Polls now, in a worker thread, unless a wake-up is already queued. */
  public void wake() {
    if (work != null && wakeQueued.compareAndSet(false, true) && !executor.isShutdown()) {
      executor.execute(
          () -> {
            wakeQueued.set(false);
            poll();
          });
    }
  }

  /**
   * Processes every event due now in the calling thread, batch after batch, until none is left.
   *
   * @return how many events were claimed
   */
  public int runDue() throws InboxException {
    if (work == null) {
      return 0;
    }
    int total = 0;
    int claimed;
    do {
      claimed = inbox.processDue(owner + "-" + claims.incrementAndGet(), BATCH, work);
      total += claimed;
    } while (claimed == BATCH && !executor.isShutdown());
    return total;
  }

  // A scheduled task that throws is never run again: nothing may escape.
  private void poll() {
    try {
      runDue();
    } catch (InboxException e) {
      LOG.log(
          Level.WARNING,
          e.getMessage() + "; the workers try again in " + pollInterval.toMillis() + " ms");
    } catch (RuntimeException | Error e) {
      // Even an Error: a worker that stopped would leave every later event unprocessed.
      LOG.log(
          Level.ERROR,
          "Inbox worker failed; it polls again in " + pollInterval.toMillis() + " ms",
          e);
    }
  }

  private void prune() {
    try {
      int pruned = inbox.prune();
      if (pruned > 0) {
        LOG.log(Level.INFO, "Pruned {0} done events from the inbox", pruned);
      }
    } catch (InboxException | RuntimeException e) {
      LOG.log(Level.WARNING, "Inbox prune failed: " + e.getMessage());
    }
  }

  /**
   * Stops the workers: no new claims; events being handled get 10 seconds to finish, then their
   * threads are interrupted (their leases run out and other owners take those events over).
   */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
          LOG.log(
              Level.WARNING,
              "Inbox workers still running after being interrupted; their"
                  + " leases will run out and other owners take their events over");
        }
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Whether {@link #close()} has stopped every thread. */
  public boolean isTerminated() {
    return executor.isTerminated();
  }
}
