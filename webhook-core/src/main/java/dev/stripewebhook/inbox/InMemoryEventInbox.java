// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.LogText;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An inbox of one endpoint in this JVM's memory, bounded by {@link InboxOptions#capacity()}: the
 * default when no DataSource is configured. It deduplicates and serializes processing within one
 * instance only, and forgets everything on restart; use {@link JdbcEventInbox} for durability or
 * several instances.
 *
 * <p>A done or superseded event keeps its envelope, state and attempts but not its body, which is
 * all deduplication needs: its record's {@link InboxRecord#body()} is empty. Lists and counts look
 * at every stored event: fine for the capacity of one JVM's memory. When full, {@link #receive}
 * forgets the oldest finished event (done, superseded, resolved); when there is none, the oldest
 * failed or dead event, with a warning naming it: failed events are kept only up to the capacity
 * (use {@link JdbcEventInbox} to keep them all). Only when every stored event is received or
 * processing does {@link #receive} throw {@link InboxException} (answered 503: Stripe delivers
 * again later) rather than drop an event about to be handled.
 *
 * @since 0.1
 */
public final class InMemoryEventInbox implements EventInbox {
  private static final System.Logger LOG = System.getLogger(InMemoryEventInbox.class.getName());

  private final InboxOptions options;
  private final Map<String, Entry> entries = new LinkedHashMap<>(); // guarded by this

  /** The entries workers may claim, by when: next attempt, or end of lease. Guarded by this. */
  private final TreeSet<Entry> due =
      new TreeSet<>(
          Comparator.comparing((Entry entry) -> entry.dueAt)
              .thenComparingLong(entry -> entry.sequence));

  /**
   * The entries {@link #receive} may forget when full: finished ones before failed or dead ones,
   * each oldest first. Guarded by this.
   */
  private final TreeSet<Entry> evictable =
      new TreeSet<>(
          Comparator.comparingInt((Entry entry) -> entry.evictionRank)
              .thenComparingLong(entry -> entry.sequence));

  private long sequence; // guarded by this
  private final LeaseKeeper leases;

  /** An empty inbox with these options. */
  public InMemoryEventInbox(InboxOptions options) {
    this.options = Objects.requireNonNull(options, "options == null");
    this.leases = new LeaseKeeper(options, this::renew);
  }

  @Override
  public String endpoint() {
    return options.endpoint();
  }

  @Override
  public Receipt receive(VerifiedEvent event, String signatureHeader, String clientAddress)
      throws InboxException {
    return receive(event, signatureHeader, clientAddress, null);
  }

  @Override
  public Receipt receive(
      VerifiedEvent event, String signatureHeader, String clientAddress, String owner)
      throws InboxException {
    Entry forgotten = null;
    Claim claimed = null;
    synchronized (this) {
      Entry existing = entries.get(event.id());
      if (existing != null) {
        return existing.status.isFinal() ? Receipt.DONE : Receipt.PENDING;
      }
      if (entries.size() >= options.capacity()) {
        forgotten = evictable.pollFirst();
        if (forgotten == null) {
          throw new InboxException(
              "The in-memory inbox is full: all of its "
                  + options.capacity()
                  + " events are received or being processed; configure a"
                  + " DataSource ("
                  + WebhookConfig.Keys.DATASOURCE
                  + ") or a larger capacity ("
                  + WebhookConfig.Keys.MEMORY_CAPACITY
                  + ")");
        }
        unindex(forgotten); // out of due too
        entries.remove(forgotten.eventId);
      }
      Entry entry =
          new Entry(options.endpoint(), event, signatureHeader, clientAddress, now(), sequence++);
      entries.put(event.id(), entry);
      index(entry);
      if (owner != null) {
        claimed = claimForDelivery(event.id(), owner);
      }
    }
    if (claimed != null) {
      leases.hold(claimed);
    }
    if (forgotten != null && !forgotten.status.isFinal()) {
      // Outside the lock: the forgotten entry is no longer reachable, so nothing changes it.
      LOG.log(
          Level.WARNING,
          "Forgot the "
              + forgotten.status.code()
              + " event "
              + LogText.escape(forgotten.eventId)
              + " to store a new one: the in-memory inbox keeps"
              + " failed events only up to its capacity of "
              + options.capacity()
              + "; configure a"
              + " DataSource ("
              + WebhookConfig.Keys.DATASOURCE
              + ") to keep them until replayed or"
              + " resolved");
    }
    return Receipt.NEW;
  }

  @Override
  public Outcome process(String eventId, String owner, Work work) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    Claim claimed = leases.held(eventId, owner);
    if (claimed != null) {
      return run(claimed, work); // claimed on arrival
    }
    synchronized (this) {
      Outcome refused = refusal(eventId);
      if (refused != null) {
        return refused;
      }
      claimed = claimForDelivery(eventId, owner);
    }
    leases.hold(claimed);
    return run(claimed, work);
  }

  /** Why a delivery cannot claim the event now, or {@code null} when it can. */
  private Outcome refusal(String eventId) {
    Entry entry = entries.get(eventId);
    if (entry == null) {
      return Outcome.UNKNOWN;
    }
    if (entry.status.isFinal()) {
      return Outcome.ALREADY_DONE;
    }
    if (entry.status == InboxStatus.PROCESSING && entry.leaseUntil.isAfter(now())) {
      return Outcome.BUSY;
    }
    return null;
  }

  private Claim claimForDelivery(String eventId, String owner) {
    Entry entry = entries.get(eventId);
    unindex(entry);
    Claim claimed = entry.claim(owner, now(), options);
    index(entry);
    return claimed;
  }

  @Override
  public synchronized Optional<InboxRecord> claim(String eventId, String owner) {
    Objects.requireNonNull(owner, "owner == null");
    Claim claimed = leases.held(eventId, owner); // claimed on arrival
    if (claimed == null) {
      if (refusal(eventId) != null) {
        return Optional.empty();
      }
      claimed = claimForDelivery(eventId, owner);
    }
    if (options.supersededGuard() && isSuperseded(claimed.record)) {
      finish(claimed, InboxStatus.SUPERSEDED, Outcome.SUPERSEDED, null);
      return Optional.empty();
    }
    leases.hold(claimed);
    return Optional.of(claimed.record);
  }

  @Override
  public synchronized Outcome finish(String eventId, String owner, Throwable failure) {
    Objects.requireNonNull(owner, "owner == null");
    Entry entry = entries.get(eventId);
    if (entry == null || entry.claim == null || !owner.equals(entry.claim.owner)) {
      return Outcome.LEASE_LOST;
    }
    Claim claim = entry.claim;
    return failure == null
        ? finish(claim, InboxStatus.DONE, Outcome.DONE, null)
        : finish(
            claim,
            claim.failedStatus(options.attempts()),
            claim.failedOutcome(options.attempts()),
            failure);
  }

  @Override
  public int processDue(String owner, int limit, Work work) throws InboxException {
    List<Claim> claimed = new ArrayList<>();
    synchronized (this) {
      Instant now = now();
      List<Entry> taken = new ArrayList<>();
      while (taken.size() < limit && !due.isEmpty() && !due.first().dueAt.isAfter(now)) {
        Entry entry = due.first();
        unindex(entry);
        claimed.add(entry.claim(owner, now, options));
        taken.add(entry);
      }
      taken.forEach(this::index); // after the loop: a zero lease must not claim twice
    }
    claimed.forEach(leases::hold); // the last of the batch waits its turn
    for (Claim claim : claimed) {
      run(claim, work);
    }
    return claimed.size();
  }

  private Outcome run(Claim claim, Work work) {
    if (options.supersededGuard()) {
      synchronized (this) {
        if (isSuperseded(claim.record)) {
          return finish(claim, InboxStatus.SUPERSEDED, Outcome.SUPERSEDED, null);
        }
      }
    }
    Throwable failure = null;
    try {
      work.run(claim.record, HandlingContext.none());
    } catch (Throwable e) { // any: an Error of one event's work is that attempt's failure only
      failure = e;
    }
    synchronized (this) {
      return failure == null
          ? finish(claim, InboxStatus.DONE, Outcome.DONE, null)
          : finish(
              claim,
              claim.failedStatus(options.attempts()),
              claim.failedOutcome(options.attempts()),
              failure);
    }
  }

  private boolean isSuperseded(InboxRecord record) {
    if (record.dataObjectId() == null || record.created() == null) {
      return false;
    }
    for (Entry other : entries.values()) {
      if (other.status == InboxStatus.DONE
          && record.dataObjectId().equals(other.dataObjectId)
          && other.created != null
          && other.created.isAfter(record.created())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ends the claim's attempt with {@code status}, returning {@code outcome}; {@link
   * Outcome#LEASE_LOST} when its lease was taken over meanwhile.
   */
  private Outcome finish(Claim claim, InboxStatus status, Outcome outcome, Throwable error) {
    leases.release(claim);
    Entry entry = entries.get(claim.eventId());
    if (entry == null
        || entry.status != InboxStatus.PROCESSING
        || !claim.owner.equals(entry.leaseOwner)) {
      return Outcome.LEASE_LOST;
    }
    Instant now = now();
    entry.endAttempt(now, outcome, error == null ? null : Errors.describe(error));
    unindex(entry);
    entry.status = status;
    entry.leaseOwner = null;
    entry.leaseUntil = null;
    entry.claim = null; // its record holds the body
    if (status == InboxStatus.DONE || status == InboxStatus.SUPERSEDED) {
      entry.handledAt = now;
      entry.lastError = null;
      entry.body = null;
    } else {
      entry.lastError = Errors.describe(error);
      entry.nextAttemptAt = options.nextAttempt(now, entry.attempts);
    }
    index(entry);
    return outcome;
  }

  /** Extends the lease of each claim its owner still holds; returns the others. */
  private synchronized Set<Claim.Key> renew(Collection<Claim> claims, Instant until) {
    Set<Claim.Key> lost = new HashSet<>();
    for (Claim claim : claims) {
      Entry entry = entries.get(claim.eventId());
      if (entry == null
          || entry.status != InboxStatus.PROCESSING
          || !claim.owner.equals(entry.leaseOwner)) {
        lost.add(claim.key());
      } else if (until.isAfter(entry.leaseUntil)) {
        unindex(entry);
        entry.leaseUntil = until;
        index(entry);
      }
    }
    return lost;
  }

  /** What keeps this inbox's claims alive; tests beat it by hand. */
  LeaseKeeper leases() {
    return leases;
  }

  /**
   * Puts an entry into the indexes its state calls for: an unfinished one into {@link #due}, keyed
   * by when it is next due; a finished, failed or dead one into {@link #evictable}.
   */
  private void index(Entry entry) {
    entry.dueAt =
        switch (entry.status) {
          case RECEIVED, FAILED -> entry.nextAttemptAt;
          case PROCESSING -> entry.leaseUntil;
          default -> null;
        };
    if (entry.dueAt != null) {
      due.add(entry);
    }
    entry.evictionRank =
        switch (entry.status) {
          case DONE, SUPERSEDED, RESOLVED -> 0;
          case FAILED, DEAD -> 1;
          case RECEIVED, PROCESSING -> NOT_EVICTABLE; // being, or about to be, handled
        };
    if (entry.evictionRank != NOT_EVICTABLE) {
      evictable.add(entry);
    }
  }

  /** Takes an entry out of every index; call it before changing what their keys depend on. */
  private void unindex(Entry entry) {
    if (entry.dueAt != null) {
      due.remove(entry);
      entry.dueAt = null;
    }
    if (entry.evictionRank != NOT_EVICTABLE) {
      evictable.remove(entry);
      entry.evictionRank = NOT_EVICTABLE;
    }
  }

  @Override
  public synchronized Optional<InboxRecord> find(String eventId) {
    return Optional.ofNullable(entries.get(eventId)).map(Entry::snapshot);
  }

  @Override
  public synchronized boolean replay(String eventId) {
    Entry entry = entries.get(eventId);
    if (entry == null || (entry.status != InboxStatus.FAILED && entry.status != InboxStatus.DEAD)) {
      return false;
    }
    unindex(entry);
    entry.status = InboxStatus.RECEIVED;
    entry.attempts = 0;
    entry.nextAttemptAt = now();
    index(entry);
    return true;
  }

  @Override
  public synchronized boolean resolve(String eventId) {
    Entry entry = entries.get(eventId);
    if (entry == null || (entry.status != InboxStatus.FAILED && entry.status != InboxStatus.DEAD)) {
      return false;
    }
    // The body stays: an operator may want to read what was closed by hand.
    unindex(entry);
    entry.status = InboxStatus.RESOLVED;
    entry.handledAt = now();
    index(entry);
    return true;
  }

  @Override
  public synchronized EventPage list(EventQuery query) {
    Objects.requireNonNull(query, "query == null");
    EventQuery.Position after = query.after();
    List<EventSummary> matching = new ArrayList<>();
    for (Entry entry : entries.values()) {
      EventSummary summary = entry.summary();
      if (query.matches(summary)
          && (after == null || after.isBefore(summary.receivedAt(), summary.eventId()))) {
        matching.add(summary);
      }
    }
    matching.sort(NEWEST_FIRST);
    if (matching.size() <= query.limit()) {
      return new EventPage(matching, null);
    }
    List<EventSummary> page = matching.subList(0, query.limit());
    return new EventPage(page, EventQuery.Position.of(page.get(page.size() - 1)).cursor());
  }

  @Override
  public synchronized Map<InboxStatus, Long> countByStatus() {
    Map<InboxStatus, Long> counts = new EnumMap<>(InboxStatus.class);
    for (InboxStatus status : InboxStatus.values()) {
      counts.put(status, 0L);
    }
    for (Entry entry : entries.values()) {
      counts.merge(entry.status, 1L, Long::sum);
    }
    return counts;
  }

  @Override
  public synchronized InboxBacklog backlog() {
    long events = 0;
    Instant oldest = null;
    for (Entry entry : entries.values()) {
      if (entry.status.isPending()) {
        events++;
        if (oldest == null || entry.receivedAt.isBefore(oldest)) {
          oldest = entry.receivedAt;
        }
      }
    }
    return new InboxBacklog(events, oldest);
  }

  @Override
  public synchronized List<EventSummary> aboutObject(String dataObjectId, int limit) {
    Objects.requireNonNull(dataObjectId, "dataObjectId == null");
    List<EventSummary> about = new ArrayList<>();
    for (Entry entry : entries.values()) {
      if (dataObjectId.equals(entry.dataObjectId)) {
        about.add(entry.summary());
      }
    }
    about.sort(BY_CREATED);
    return List.copyOf(about.subList(0, Math.min(limit, about.size())));
  }

  @Override
  public synchronized List<ProcessingAttempt> attempts(String eventId) {
    Entry entry = entries.get(eventId);
    return entry == null ? List.of() : List.copyOf(entry.history);
  }

  @Override
  public synchronized int prune() {
    Instant cutoff = now().minus(options.retention());
    int pruned = 0;
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      if (entry.status.isFinal() && entry.handledAt.isBefore(cutoff)) { // with its attempts
        unindex(entry);
        it.remove();
        pruned++;
      }
    }
    return pruned;
  }

  private Instant now() {
    return options.clock().instant();
  }

  private static final Comparator<EventSummary> NEWEST_FIRST =
      Comparator.comparing(EventSummary::receivedAt)
          .thenComparing(EventSummary::eventId)
          .reversed();
  private static final Comparator<EventSummary> BY_CREATED =
      Comparator.comparing(EventSummary::created, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(EventSummary::receivedAt)
          .thenComparing(EventSummary::eventId);

  private static final int NOT_EVICTABLE = -1;

  private static final class Entry {
    private static final byte[] NO_BODY = new byte[0];

    final long sequence; // arrival order: ties in due time are taken oldest first
    final String endpoint;
    final String eventId;
    final String type;
    final Boolean livemode;
    final String account;
    final String apiVersion;
    final String dataObjectId;
    final Instant created;
    final Instant receivedAt;
    final String signatureHeader;
    final String clientAddress;
    byte[] body;
    InboxStatus status = InboxStatus.RECEIVED;
    int attempts;
    String lastError;
    Instant nextAttemptAt;
    String leaseOwner;
    Instant leaseUntil;
    Instant handledAt;
    Claim claim; // the latest claim; its owner holds the entry while it is processing
    final List<ProcessingAttempt> history = new ArrayList<>();
    Instant dueAt; // the key in due; null when not in it
    int evictionRank = NOT_EVICTABLE; // with sequence, the key in evictable

    Entry(
        String endpoint,
        VerifiedEvent event,
        String signatureHeader,
        String clientAddress,
        Instant now,
        long sequence) {
      this.sequence = sequence;
      this.endpoint = endpoint;
      this.eventId = event.id();
      this.type = event.type();
      this.livemode = event.livemode().orElse(null);
      this.account = event.account().orElse(null);
      this.apiVersion = event.apiVersion().orElse(null);
      this.dataObjectId = event.dataObjectId().orElse(null);
      this.created = event.created().orElse(null);
      this.receivedAt = now;
      this.body = event.body(); // its own copy: records hand out copies
      this.signatureHeader = signatureHeader;
      this.clientAddress = clientAddress;
      this.nextAttemptAt = now;
    }

    Claim claim(String owner, Instant now, InboxOptions options) {
      boolean wasDead = Claim.wasDead(status, attempts, options.attempts());
      if (status == InboxStatus.PROCESSING) {
        endAttempt(now, Outcome.LEASE_LOST, null); // taken over: the old owner's lease ran out
      }
      history.add(new ProcessingAttempt(history.size() + 1, owner, now, null, null, null));
      status = InboxStatus.PROCESSING;
      leaseOwner = Objects.requireNonNull(owner, "owner == null");
      leaseUntil = now.plus(options.lease());
      attempts++;
      claim = new Claim(snapshot(), owner, wasDead);
      return claim;
    }

    /** Ends the running attempt, if any. */
    void endAttempt(Instant now, Outcome outcome, String error) {
      int last = history.size() - 1;
      if (last >= 0 && history.get(last).finishedAt() == null) {
        ProcessingAttempt running = history.get(last);
        history.set(
            last,
            new ProcessingAttempt(
                running.number(), running.owner(), running.startedAt(), now, outcome, error));
      }
    }

    EventSummary summary() {
      return new EventSummary(
          endpoint,
          eventId,
          type,
          livemode,
          account,
          dataObjectId,
          created,
          receivedAt,
          status,
          attempts,
          lastError,
          handledAt);
    }

    InboxRecord snapshot() {
      return new InboxRecord(
          endpoint,
          eventId,
          type,
          livemode,
          account,
          apiVersion,
          dataObjectId,
          created,
          receivedAt,
          body == null ? NO_BODY : body,
          signatureHeader,
          clientAddress,
          status,
          attempts,
          lastError,
          nextAttemptAt,
          leaseOwner,
          leaseUntil,
          handledAt);
    }
  }
}
