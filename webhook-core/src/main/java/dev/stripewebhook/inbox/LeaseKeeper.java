// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.LogText;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps alive the claims one inbox instance holds, from the claim until the event is finished:
 * every lease/3 it renews each of them, so that the claim of a live holder never runs out however
 * long its work takes (or however long an event of a batch waits for its turn), and the claim of a
 * holder that crashed runs out one lease after its last renewal.
 *
 * <p>All inboxes share one small pool of daemon threads; an inbox has a periodic task there only
 * while it holds claims, and the threads end when no inbox has one, so that nothing outlives an
 * application that stopped.
 */
final class LeaseKeeper {
  private static final System.Logger LOG = System.getLogger(LeaseKeeper.class.getName());
  private static final long MIN_BEAT_MILLIS = 10;
  private static final ScheduledThreadPoolExecutor BEATS = beats();

  /** Renews the leases of claims of one inbox. */
  @FunctionalInterface
  interface Renewer {
    /**
     * Extends the lease of each claim its owner still holds to {@code until}.
     *
     * @return the keys of the claims whose owner no longer holds the event
     * @throws Exception when the storage cannot be reached: the next beat tries again
     */
    Set<Claim.Key> renew(Collection<Claim> claims, Instant until) throws Exception;
  }

  private final InboxOptions options;
  private final Renewer renewer;
  private final long beatMillis;
  private final Map<Claim.Key, Claim> held = new ConcurrentHashMap<>();
  private volatile ScheduledFuture<?> task; // written holding this; null while nothing is held

  LeaseKeeper(InboxOptions options, Renewer renewer) {
    this.options = options;
    this.renewer = renewer;
    this.beatMillis = Math.max(MIN_BEAT_MILLIS, options.lease().toMillis() / 3);
  }

  private static ScheduledThreadPoolExecutor beats() {
    AtomicInteger count = new AtomicInteger();
    ScheduledThreadPoolExecutor beats =
        new ScheduledThreadPoolExecutor(
            2,
            runnable -> {
              Thread thread =
                  new Thread(runnable, "stripe-webhook-inbox-leases-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    beats.setKeepAliveTime(30, TimeUnit.SECONDS);
    beats.allowCoreThreadTimeOut(true);
    beats.setRemoveOnCancelPolicy(true);
    return beats;
  }

  /**
   * Renews {@code claim} from now on, until it is released. Takes no lock while the beat runs: the
   * request path of every delivery comes here.
   */
  void hold(Claim claim) {
    held.put(claim.key(), claim);
    if (task == null) { // the beat stops only after it saw nothing held, which it sees again
      synchronized (this) {
        scheduleIfNeeded();
      }
    }
  }

  private void scheduleIfNeeded() {
    if (task == null && !held.isEmpty()) {
      task =
          BEATS.scheduleWithFixedDelay(
              this::beatQuietly, beatMillis, beatMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** {@code owner}'s claim of the event, while it is renewed here; or {@code null}. */
  Claim held(String eventId, String owner) {
    return held.get(new Claim.Key(eventId, owner));
  }

  /** Stops renewing {@code claim}: call it before finishing the event. */
  void release(Claim claim) {
    held.remove(claim.key(), claim);
  }

  /** Stops renewing {@code owner}'s claim of the event; returns it, or {@code null}. */
  Claim release(String eventId, String owner) {
    return held.remove(new Claim.Key(eventId, owner));
  }

  /** Stops renewing each of {@code claims}. */
  void releaseAll(List<Claim> claims) {
    claims.forEach(this::release);
  }

  /**
   * Renews every claim held now; the shared threads call it every lease/3, tests when they move
   * their clock. A claim whose owner no longer holds the event is logged once and dropped.
   */
  void beat() {
    List<Claim> claims = List.copyOf(held.values());
    if (!claims.isEmpty()) {
      Set<Claim.Key> lost;
      try {
        lost = renewer.renew(claims, options.clock().instant().plus(options.lease()));
      } catch (Exception e) {
        LOG.log(
            Level.WARNING,
            "Cannot renew the leases of {0} claimed events ({1}); trying"
                + " again in {2} ms, before they run out",
            claims.size(),
            e.getMessage(),
            beatMillis);
        return;
      }
      for (Claim claim : claims) {
        // Not held any more: finished meanwhile, which is why the lease is gone.
        if (lost.contains(claim.key()) && held.remove(claim.key(), claim)) {
          LOG.log(
              Level.WARNING,
              "The work on {0} outlived its lease; another owner may have" + " taken it over",
              LogText.escape(claim.eventId()));
        }
      }
    }
    synchronized (this) {
      if (held.isEmpty() && task != null) {
        task.cancel(false);
        task = null;
        // A hold that read the old task after the check above put its claim first: see it now.
        scheduleIfNeeded();
      }
    }
  }

  // A periodic task that throws is never run again: nothing may escape.
  private void beatQuietly() {
    try {
      beat();
    } catch (RuntimeException | Error e) {
      LOG.log(
          Level.ERROR,
          "Renewing the inbox's leases failed; trying again in " + beatMillis + " ms",
          e);
    }
  }

  /**
   * Stops renewing every claim held now, as a crash of their holders would; for tests. Finishing
   * them later still works as long as their leases hold.
   */
  void abandon() {
    held.clear();
  }

  /** How often the claims are renewed. */
  Duration interval() {
    return Duration.ofMillis(beatMillis);
  }
}
