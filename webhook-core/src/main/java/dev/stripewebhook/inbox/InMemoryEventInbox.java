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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An inbox of one endpoint in this JVM's memory, bounded by {@link InboxOptions#capacity()}: the
 * default when no DataSource is configured. It deduplicates and serializes processing within one
 * instance only, and forgets everything on restart; use {@link JdbcEventInbox} for durability or
 * several instances.
 *
 * <p>A done or superseded event keeps its envelope, state and attempts but not its body, which is
 * all deduplication needs: its record's {@link InboxRecord#body()} is empty. Lists and counts look
 * at every stored event: fine for the capacity of one JVM's memory. When full, {@link #receive}
 * forgets the event finished longest ago (done, superseded, resolved); when there is none, the
 * oldest failed or dead event, with a warning naming it: failed events are kept only up to the
 * capacity (use {@link JdbcEventInbox} to keep them all). Only when every stored event is received
 * or processing does {@link #receive} throw {@link InboxException} (answered 503: Stripe delivers
 * again later) rather than drop an event about to be handled.
 *
 * <p>Each stored event has a lock of its own and the indexes are concurrent maps, so deliveries of
 * different events do not wait for one another: the request path takes no lock all of them share.
 *
 * @since 0.1
 */
public final class InMemoryEventInbox implements EventInbox {
  private static final System.Logger LOG = System.getLogger(InMemoryEventInbox.class.getName());

  private final InboxOptions options;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * How many entries are stored: above the capacity only while the deliveries that stored the
   * latest are making room.
   */
  private final AtomicInteger stored = new AtomicInteger();

  private final AtomicLong sequence = new AtomicLong();

  /** The received and failed entries, by when workers may claim them: their next attempt. */
  private final ConcurrentSkipListMap<DueKey, Entry> due = new ConcurrentSkipListMap<>();

  /** The entries being processed: few; workers look through them for leases that ran out. */
  private final Set<Entry> processing = ConcurrentHashMap.newKeySet();

  /**
   * What {@link #receive} forgets first when full: finished entries (done, superseded, resolved),
   * in the order they finished. Such an entry leaves it only when forgotten or pruned.
   */
  private final Queue<Entry> finished = new ConcurrentLinkedQueue<>();

  /** What {@link #receive} forgets when no entry is finished: failed or dead, oldest first. */
  private final ConcurrentSkipListMap<Long, Entry> failed = new ConcurrentSkipListMap<>();

  /** The entries about each data object, kept only for the superseded guard. */
  private final Map<String, Set<Entry>> byObject = new ConcurrentHashMap<>();

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
    Entry existing = entries.get(event.id());
    if (existing != null) {
      return existing.receipt();
    }
    Entry entry =
        new Entry(
            options.endpoint(),
            event,
            signatureHeader,
            clientAddress,
            now(),
            sequence.getAndIncrement());
    Entry forgotten;
    Claim claimed = null;
    // Published before room is made for it, so that two deliveries of one new event make room
    // once; locked until indexed, so that whoever finds it meanwhile waits.
    synchronized (entry) {
      existing = entries.putIfAbsent(event.id(), entry);
      if (existing != null) { // a concurrent delivery of the same event stored it first
        return existing.receipt();
      }
      stored.incrementAndGet();
      try {
        forgotten = makeRoom(); // locks the victim: an indexed entry, never one like this
        if (options.supersededGuard() && entry.dataObjectId != null) {
          byObject.compute(
              entry.dataObjectId,
              (id, about) -> {
                Set<Entry> all = about == null ? ConcurrentHashMap.newKeySet() : about;
                all.add(entry);
                return all;
              });
        }
        if (owner != null) {
          claimed = entry.claim(owner, entry.receivedAt, options);
        }
        index(entry);
      } catch (Throwable e) { // full, or out of memory: nothing of this entry stays behind
        forget(entry);
        throw e;
      }
    }
    if (claimed != null) {
      leases.hold(claimed);
    }
    if (forgotten != null && !forgotten.status.isFinal()) {
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

  /**
   * While more entries are stored than the capacity, forgets one: the event finished longest ago,
   * or else the oldest failed or dead one.
   *
   * @return the entry forgotten, or {@code null} when there was room
   * @throws InboxException when every stored entry is received or processing
   */
  private Entry makeRoom() throws InboxException {
    while (stored.get() > options.capacity()) {
      Entry victim = finished.poll();
      if (victim == null) {
        Map.Entry<Long, Entry> oldest = failed.pollFirstEntry();
        victim = oldest == null ? null : oldest.getValue();
      }
      if (victim == null) {
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
      synchronized (victim) {
        // Replayed meanwhile, or already forgotten: not to forget now.
        if (victim.evictionRank != NOT_EVICTABLE && forget(victim)) {
          return victim;
        }
      }
    }
    return null; // room enough, or a prune gave some back meanwhile
  }

  /** Removes an entry and gives back its room; call it holding the entry's lock. */
  private boolean forget(Entry entry) {
    if (!entries.remove(entry.eventId, entry)) {
      return false;
    }
    entry.removed = true;
    unindex(entry);
    if (options.supersededGuard() && entry.dataObjectId != null) {
      byObject.computeIfPresent(
          entry.dataObjectId, (id, about) -> about.remove(entry) && about.isEmpty() ? null : about);
    }
    stored.decrementAndGet();
    return true;
  }

  @Override
  public Outcome process(String eventId, String owner, Work work) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    Claim claimed = leases.held(eventId, owner);
    if (claimed != null) {
      return run(claimed, work); // claimed on arrival
    }
    Entry entry = entries.get(eventId);
    if (entry == null) {
      return Outcome.UNKNOWN;
    }
    synchronized (entry) {
      Outcome refused = refusal(entry);
      if (refused != null) {
        return refused;
      }
      claimed = claimIndexed(entry, owner);
    }
    leases.hold(claimed);
    return run(claimed, work);
  }

  /** Why a delivery cannot claim the entry now, or {@code null}; holding the entry's lock. */
  private Outcome refusal(Entry entry) {
    if (entry.removed) {
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

  private Claim claimIndexed(Entry entry, String owner) {
    unindex(entry);
    Claim claimed = entry.claim(owner, now(), options);
    index(entry);
    return claimed;
  }

  @Override
  public Optional<InboxRecord> claim(String eventId, String owner) {
    Objects.requireNonNull(owner, "owner == null");
    Claim claimed = leases.held(eventId, owner); // claimed on arrival
    Entry entry = entries.get(eventId);
    if (entry == null) {
      return Optional.empty();
    }
    synchronized (entry) {
      if (claimed == null) {
        if (refusal(entry) != null) {
          return Optional.empty();
        }
        claimed = claimIndexed(entry, owner);
      }
      if (options.supersededGuard() && isSuperseded(claimed.record)) {
        finish(entry, claimed, InboxStatus.SUPERSEDED, Outcome.SUPERSEDED, null);
        return Optional.empty();
      }
    }
    leases.hold(claimed);
    return Optional.of(claimed.record);
  }

  @Override
  public Outcome finish(String eventId, String owner, Throwable failure) {
    Objects.requireNonNull(owner, "owner == null");
    Entry entry = entries.get(eventId);
    if (entry == null) {
      return Outcome.LEASE_LOST;
    }
    synchronized (entry) {
      Claim claim = entry.claim;
      if (claim == null || !owner.equals(claim.owner)) {
        return Outcome.LEASE_LOST;
      }
      return finish(entry, claim, failure);
    }
  }

  @Override
  public int processDue(String owner, int limit, Work work) throws InboxException {
    Instant now = now();
    List<Claim> claimed = new ArrayList<>();
    // A claim with a zero lease is due again at once: taken once per call all the same.
    Set<Entry> taken = new HashSet<>();
    // Claims whose holder stopped renewing them first, then received and failed events by when due.
    for (Iterable<Entry> candidates :
        List.of(processing, due.headMap(new DueKey(now, Long.MAX_VALUE)).values())) {
      for (Entry entry : candidates) {
        if (claimed.size() >= limit) {
          break;
        }
        synchronized (entry) {
          if (isDue(entry, now) && taken.add(entry)) {
            claimed.add(claimIndexed(entry, owner));
          }
        }
      }
    }
    claimed.forEach(leases::hold); // the last of the batch waits its turn
    for (Claim claim : claimed) {
      run(claim, work);
    }
    return claimed.size();
  }

  /** Whether a worker may claim the entry now: its lease ran out, or its next attempt is due. */
  private static boolean isDue(Entry entry, Instant now) {
    Instant at = entry.status == InboxStatus.PROCESSING ? entry.leaseUntil : entry.dueAt;
    return at != null && !at.isAfter(now);
  }

  private Outcome run(Claim claim, Work work) {
    Entry entry = entries.get(claim.eventId());
    if (entry != null && options.supersededGuard()) {
      synchronized (entry) {
        if (isSuperseded(claim.record)) {
          return finish(entry, claim, InboxStatus.SUPERSEDED, Outcome.SUPERSEDED, null);
        }
      }
    }
    Throwable failure = null;
    try {
      work.run(claim.record, HandlingContext.none());
    } catch (Throwable e) { // any: an Error of one event's work is that attempt's failure only
      failure = e;
    }
    if (entry == null) { // its lease ran out, another owner finished it, and the inbox forgot it
      leases.release(claim);
      return Outcome.LEASE_LOST;
    }
    synchronized (entry) {
      return finish(entry, claim, failure);
    }
  }

  /** Ends the claim's attempt as done, or as failed by {@code failure}. */
  private Outcome finish(Entry entry, Claim claim, Throwable failure) {
    return failure == null
        ? finish(entry, claim, InboxStatus.DONE, Outcome.DONE, null)
        : finish(
            entry,
            claim,
            claim.failedStatus(options.attempts()),
            claim.failedOutcome(options.attempts()),
            failure);
  }

  /**
   * Whether a done event about the same object was created after this one. Reads other entries
   * without their locks: their status is volatile, their creation time final.
   */
  private boolean isSuperseded(InboxRecord record) {
    if (record.dataObjectId() == null || record.created() == null) {
      return false;
    }
    Set<Entry> about = byObject.getOrDefault(record.dataObjectId(), Set.of());
    for (Entry other : about) {
      if (other.status == InboxStatus.DONE
          && other.created != null
          && other.created.isAfter(record.created())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ends the claim's attempt with {@code status}, returning {@code outcome}; {@link
   * Outcome#LEASE_LOST} when its lease was taken over meanwhile. Holding the entry's lock.
   */
  private Outcome finish(
      Entry entry, Claim claim, InboxStatus status, Outcome outcome, Throwable error) {
    leases.release(claim);
    if (entry.removed
        || entry.status != InboxStatus.PROCESSING
        || !claim.owner.equals(entry.leaseOwner)) {
      return Outcome.LEASE_LOST;
    }
    Instant now = now();
    entry.endAttempt(now, outcome, error == null ? null : Errors.describe(error));
    unindex(entry);
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
    entry.status = status; // last: lock-free readers see the fields above with it
    index(entry);
    return outcome;
  }

  /** Extends the lease of each claim its owner still holds; returns the others. */
  private Set<Claim.Key> renew(Collection<Claim> claims, Instant until) {
    Set<Claim.Key> lost = new HashSet<>();
    for (Claim claim : claims) {
      Entry entry = entries.get(claim.eventId());
      if (entry == null) {
        lost.add(claim.key());
        continue;
      }
      synchronized (entry) {
        if (entry.removed
            || entry.status != InboxStatus.PROCESSING
            || !claim.owner.equals(entry.leaseOwner)) {
          lost.add(claim.key());
        } else if (until.isAfter(entry.leaseUntil)) {
          entry.leaseUntil = until;
        }
      }
    }
    return lost;
  }

  /** What keeps this inbox's claims alive; tests beat it by hand. */
  LeaseKeeper leases() {
    return leases;
  }

  /**
   * Puts an entry into the index its state calls for: a received or failed one into {@link #due},
   * keyed by its next attempt; a processing one into {@link #processing}; a finished one into
   * {@link #finished}, a failed or dead one also into {@link #failed}. Holding the entry's lock,
   * after {@link #unindex}.
   */
  private void index(Entry entry) {
    switch (entry.status) {
      case RECEIVED, FAILED -> {
        entry.dueAt = entry.nextAttemptAt;
        due.put(new DueKey(entry.dueAt, entry.sequence), entry);
      }
      case PROCESSING -> processing.add(entry);
      default -> {}
    }
    entry.evictionRank =
        switch (entry.status) {
          case DONE, SUPERSEDED, RESOLVED -> 0;
          case FAILED, DEAD -> 1;
          case RECEIVED, PROCESSING -> NOT_EVICTABLE; // being, or about to be, handled
        };
    if (entry.evictionRank == 0) {
      finished.add(entry);
    } else if (entry.evictionRank == 1) {
      failed.put(entry.sequence, entry);
    }
  }

  /**
   * Takes an entry out of every index; call it, holding the entry's lock, before changing its
   * state. A finished entry stays in {@link #finished} until forgotten or pruned: it never changes
   * state again.
   */
  private void unindex(Entry entry) {
    if (entry.dueAt != null) {
      due.remove(new DueKey(entry.dueAt, entry.sequence), entry);
      entry.dueAt = null;
    }
    if (entry.status == InboxStatus.PROCESSING) {
      processing.remove(entry);
    }
    if (entry.evictionRank == 1) {
      failed.remove(entry.sequence, entry);
    }
    entry.evictionRank = NOT_EVICTABLE;
  }

  @Override
  public Optional<InboxRecord> find(String eventId) {
    Entry entry = entries.get(eventId);
    if (entry == null) {
      return Optional.empty();
    }
    synchronized (entry) {
      return entry.removed ? Optional.empty() : Optional.of(entry.snapshot());
    }
  }

  @Override
  public boolean replay(String eventId) {
    Entry entry = entries.get(eventId);
    if (entry == null) {
      return false;
    }
    synchronized (entry) {
      if (entry.removed
          || (entry.status != InboxStatus.FAILED && entry.status != InboxStatus.DEAD)) {
        return false;
      }
      unindex(entry);
      entry.attempts = 0;
      entry.nextAttemptAt = now();
      entry.status = InboxStatus.RECEIVED;
      index(entry);
      return true;
    }
  }

  @Override
  public boolean resolve(String eventId) {
    Entry entry = entries.get(eventId);
    if (entry == null) {
      return false;
    }
    synchronized (entry) {
      if (entry.removed
          || (entry.status != InboxStatus.FAILED && entry.status != InboxStatus.DEAD)) {
        return false;
      }
      // The body stays: an operator may want to read what was closed by hand.
      unindex(entry);
      entry.handledAt = now();
      entry.status = InboxStatus.RESOLVED;
      index(entry);
      return true;
    }
  }

  @Override
  public EventPage list(EventQuery query) {
    Objects.requireNonNull(query, "query == null");
    EventQuery.Position after = query.after();
    List<EventSummary> matching = new ArrayList<>();
    for (Entry entry : entries.values()) {
      EventSummary summary = entry.summary();
      if (summary != null
          && query.matches(summary)
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
  public Map<InboxStatus, Long> countByStatus() {
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
  public InboxBacklog backlog() {
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
  public List<EventSummary> aboutObject(String dataObjectId, int limit) {
    Objects.requireNonNull(dataObjectId, "dataObjectId == null");
    List<EventSummary> about = new ArrayList<>();
    for (Entry entry : entries.values()) {
      if (dataObjectId.equals(entry.dataObjectId)) {
        EventSummary summary = entry.summary();
        if (summary != null) {
          about.add(summary);
        }
      }
    }
    about.sort(BY_CREATED);
    return List.copyOf(about.subList(0, Math.min(limit, about.size())));
  }

  @Override
  public List<ProcessingAttempt> attempts(String eventId) {
    Entry entry = entries.get(eventId);
    if (entry == null) {
      return List.of();
    }
    synchronized (entry) {
      return entry.removed ? List.of() : List.copyOf(entry.history);
    }
  }

  @Override
  public int prune() {
    Instant cutoff = now().minus(options.retention());
    int pruned = 0;
    for (Entry entry : entries.values()) {
      synchronized (entry) {
        // with its attempts
        if (entry.status.isFinal() && entry.handledAt.isBefore(cutoff) && forget(entry)) {
          pruned++;
        }
      }
    }
    finished.removeIf(entry -> entry.removed); // else held until the inbox fills
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

  /** An entry's key in {@link #due}: when it is due, ties taken in arrival order. */
  private record DueKey(Instant at, long sequence) implements Comparable<DueKey> {
    @Override
    public int compareTo(DueKey other) {
      int byTime = at.compareTo(other.at);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

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
    volatile InboxStatus status = InboxStatus.RECEIVED; // read without the lock; written with it
    boolean removed; // forgotten: a lookup that found it before treats it as gone
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

    /**
     * Equal only to itself, as {@link Object#equals}, but hashed by its arrival order: an identity
     * hash taken while the entry's lock is held (as the indexes' sets do) inflates that lock.
     */
    @Override
    public boolean equals(Object other) {
      return this == other;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(sequence);
    }

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

    /** What a delivery of this event is told. */
    Receipt receipt() {
      return status.isFinal() ? Receipt.DONE : Receipt.PENDING;
    }

    /** This entry's summary; {@code null} once forgotten. */
    synchronized EventSummary summary() {
      if (removed) {
        return null;
      }
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
