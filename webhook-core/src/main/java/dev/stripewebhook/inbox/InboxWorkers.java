// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.LogText;
import dev.stripewebhook.VerifiedEvent;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A few daemon threads that process an inbox's due events (async processing) and prune it once an
 * hour. Each poll claims due events in batches until none is left; {@link #wake()} polls at once,
 * so a new event does not wait for the next poll. A delivery stored through {@link #receive} is
 * claimed as it is stored and handed to these threads directly, without a poll, while fewer than
 * {@value #HAND_OFF_LIMIT} wait for them. Failures back off as {@link EventInbox} says; storage
 * errors are logged and the next poll tries again.
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

  /** The most events claimed on arrival that wait for a thread; more are stored unclaimed. */
  static final int HAND_OFF_LIMIT = 256;

  private static final Duration PRUNE_INTERVAL = Duration.ofHours(1);

  private final EventInbox inbox;
  private final String owner;
  private final EventInbox.Work work;
  private final int threads;
  private final Duration pollInterval;
  private final AtomicLong claims = new AtomicLong();
  private final AtomicBoolean wakeQueued = new AtomicBoolean();
  private final ScheduledExecutorService executor;

  /** Who holds the events claimed on arrival. */
  private final String handOffOwner;

  private final Semaphore handOffs = new Semaphore(HAND_OFF_LIMIT);

  /** The events claimed on arrival not yet taken by a thread. */
  private final Queue<String> handedOff = new ConcurrentLinkedQueue<>();

  private volatile boolean started;

  private InboxWorkers(
      EventInbox inbox, String owner, EventInbox.Work work, int threads, Duration pollInterval) {
    this.inbox = Objects.requireNonNull(inbox, "inbox == null");
    this.owner = Objects.requireNonNull(owner, "owner == null");
    this.work = work;
    this.threads = threads;
    this.pollInterval = pollInterval;
    this.handOffOwner = owner + "-0";
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
    started = true;
    if (work != null) {
      for (int i = 0; i < threads; i++) {
        executor.scheduleWithFixedDelay(
            this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    executor.scheduleWithFixedDelay(
        this::prune, 0, PRUNE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stores a delivery in the inbox, as {@link EventInbox#receive(VerifiedEvent, String, String)}
   * does, for these workers to process: once started, a new event is claimed as it is stored and
   * handed to a worker thread directly; otherwise, or when {@value #HAND_OFF_LIMIT} wait already,
   * it is stored unclaimed and the workers are {@link #wake() woken}.
   */
  public EventInbox.Receipt receive(
      VerifiedEvent event, String signatureHeader, String clientAddress) throws InboxException {
    if (work == null || !started || executor.isShutdown() || !handOffs.tryAcquire()) {
      EventInbox.Receipt receipt = inbox.receive(event, signatureHeader, clientAddress);
      if (receipt != EventInbox.Receipt.DONE) {
        wake();
      }
      return receipt;
    }
    boolean handed = false;
    try {
      EventInbox.Receipt receipt =
          inbox.receive(event, signatureHeader, clientAddress, handOffOwner);
      if (receipt == EventInbox.Receipt.NEW) {
        handed = handOff(event.id());
      } else if (receipt == EventInbox.Receipt.PENDING) {
        wake();
      }
      return receipt;
    } finally {
      if (!handed) {
        handOffs.release();
      }
    }
  }

  /** Queues the processing of an event claimed on arrival; whether it was queued. */
  private boolean handOff(String eventId) {
    handedOff.add(eventId);
    try {
      executor.execute(this::processHandedOff);
      return true;
    } catch (RejectedExecutionException e) { // closed meanwhile
      if (handedOff.remove(eventId)) {
        release(eventId);
        return false;
      }
      return true; // a thread took it
    }
  }

  /** Processes the events claimed on arrival that wait now, up to a batch, together. */
  private void processHandedOff() {
    List<String> batch = new ArrayList<>(BATCH);
    String eventId;
    while (batch.size() < BATCH && (eventId = handedOff.poll()) != null) {
      batch.add(eventId);
    }
    if (batch.isEmpty()) {
      return; // taken by the task of an earlier hand-off
    }
    try {
      inbox.processClaimed(batch, handOffOwner, work);
    } catch (InboxException e) {
      LOG.log(
          Level.WARNING,
          e.getMessage() + "; the events' leases run out and a worker takes them over then");
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "Inbox worker failed; the events' leases run out", e);
    } finally {
      handOffs.release(batch.size());
    }
  }

  /**
   * Ends the claim of an event claimed on arrival that no thread will take (the workers stopped):
   * recorded as a failed attempt, so that it is due again after its backoff, here or elsewhere.
   */
  private void release(String eventId) {
    try {
      inbox.finish(
          eventId,
          handOffOwner,
          new IllegalStateException("the inbox workers stopped before processing it"));
    } catch (InboxException | RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "Cannot release event "
              + LogText.escape(eventId)
              + " ("
              + e.getMessage()
              + "); its lease runs out and a worker takes it over then");
    }
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
    } finally {
      // Claimed on arrival, never taken by a thread (shutdownNow dropped their tasks).
      String eventId;
      while ((eventId = handedOff.poll()) != null) {
        release(eventId);
      }
    }
  }

  /** Whether {@link #close()} has stopped every thread. */
  public boolean isTerminated() {
    return executor.isTerminated();
  }
}
