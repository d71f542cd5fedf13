// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static dev.stripewebhook.inbox.Jdbc.instant;
import static dev.stripewebhook.inbox.Jdbc.prepare;
import static dev.stripewebhook.inbox.Jdbc.rollback;
import static dev.stripewebhook.inbox.Jdbc.unavailable;
import static dev.stripewebhook.inbox.Jdbc.update;

import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.LogText;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.EventInbox.Work;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The write path of {@link JdbcEventInbox}: storing deliveries, claiming events, running their work
 * in the transaction of the done mark, recording failures and attempts, renewing leases; and the
 * changes an operator makes (replay, resolve, prune). Arguments are checked by the facade.
 */
final class JdbcInboxWrites {
  private static final String TABLE = InboxSchema.TABLE;
  private static final String ATTEMPTS = InboxSchema.ATTEMPTS;
  private static final String UNIQUE_VIOLATION = "23505";
  // The most deliveries one transaction stores.
  private static final int RECEIVE_BATCH = 64;
  // How long the work of a batch may run before its done marks so far are committed.
  private static final long BATCH_COMMIT_AFTER_NANOS = 100_000_000L;
  // Every statement names the inbox's endpoint: its rows are the only ones it sees.
  private static final String KEY = " endpoint = ? AND event_id = ?";
  private static final String COLUMNS =
      "endpoint, event_id, event_type, livemode, account,"
          + " api_version, data_object_id, event_created, received_at, body, signature_header,"
          + " client_address, status, attempts, last_error, next_attempt_at, lease_owner,"
          + " lease_until, handled_at";
  private static final String INSERT =
      "INSERT INTO "
          + TABLE
          + " ("
          + COLUMNS
          + ") VALUES"
          + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL)";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE" + KEY;
  private static final String SELECT_STATUS = "SELECT status FROM " + TABLE + " WHERE" + KEY;
  private static final String CLAIM =
      "UPDATE "
          + TABLE
          + " SET status = 'processing',"
          + " lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE"
          + KEY
          + " AND ";
  // A delivery being answered now may always try again, even a dead event: Stripe's redelivery
  // is the retry. Live and dead events are claimed by two statements, so that a claim knows
  // whether the event was dead before (Claim.wasDead); the common case takes the first only.
  private static final String DELIVERY_CLAIMABLE =
      "(status IN ('received', 'failed')"
          + " OR (status = 'processing' AND lease_until <= ? AND attempts <= ?))";
  private static final String DEAD_CLAIMABLE =
      "(status = 'dead'" + " OR (status = 'processing' AND lease_until <= ? AND attempts > ?))";

  /** The condition of a due event, with two parameters: now, now. */
  static final String DUE =
      "((status IN ('received', 'failed') AND next_attempt_at <= ?)"
          + " OR (status = 'processing' AND lease_until <= ?))";

  private static final String HELD = KEY + " AND status = 'processing' AND lease_owner = ?";
  private static final String FINISH =
      "UPDATE "
          + TABLE
          + " SET status = ?, handled_at = ?,"
          + " last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE"
          + HELD;
  private static final String FAIL =
      "UPDATE "
          + TABLE
          + " SET status = ?, last_error = ?,"
          + " next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE"
          + HELD;
  private static final String RENEW = "UPDATE " + TABLE + " SET lease_until = ? WHERE" + HELD;
  private static final int RENEW_TIMEOUT_SECONDS = 5;
  private static final String NEWER_DONE =
      "SELECT event_id FROM "
          + TABLE
          + " WHERE endpoint = ? AND data_object_id = ? AND status = 'done' AND event_created > ?"
          + " FETCH FIRST 1 ROWS ONLY";
  private static final String REPLAY =
      "UPDATE "
          + TABLE
          + " SET status = 'received',"
          + " attempts = 0, next_attempt_at = ? WHERE"
          + KEY
          + " AND status IN ('failed', 'dead')";
  private static final String RESOLVE =
      "UPDATE "
          + TABLE
          + " SET status = 'resolved',"
          + " handled_at = ? WHERE"
          + KEY
          + " AND status IN ('failed', 'dead')";
  private static final String PRUNABLE =
      " WHERE endpoint = ?"
          + " AND status IN ('done', 'superseded', 'resolved') AND handled_at < ?";
  private static final String PRUNE_ATTEMPTS =
      "DELETE FROM "
          + ATTEMPTS
          + " WHERE endpoint = ?"
          + " AND event_id IN (SELECT event_id FROM "
          + TABLE
          + PRUNABLE
          + ")";
  private static final String PRUNE = "DELETE FROM " + TABLE + PRUNABLE;
  // A claim taking over an expired lease ends the previous owner's attempt first.
  private static final String ATTEMPT_TAKEN_OVER =
      "UPDATE "
          + ATTEMPTS
          + " SET finished_at = ?,"
          + " outcome = 'lease_lost' WHERE"
          + KEY
          + " AND finished_at IS NULL";
  // Numbered on across replays; the claim's row lock on the event serializes the numbering.
  private static final String ATTEMPT_START =
      "INSERT INTO "
          + ATTEMPTS
          + " (endpoint, event_id,"
          + " attempt, owner, started_at) SELECT ?, ?, COALESCE(MAX(attempt), 0) + 1, ?, ? FROM "
          + ATTEMPTS
          + " WHERE"
          + KEY;
  private static final String ATTEMPT_END =
      "UPDATE "
          + ATTEMPTS
          + " SET finished_at = ?,"
          + " outcome = ?, error = ? WHERE"
          + KEY
          + " AND owner = ? AND finished_at IS NULL";

  private final DataSource dataSource;
  private final InboxOptions options;
  private final String endpoint;
  private final JdbcDialect dialect;

  /** Renews the claims this instance holds until they are finished. */
  private final LeaseKeeper leases;

  /** Commits concurrent deliveries together. */
  private final GroupCommit<Delivery, Receipt> receipts =
      new GroupCommit<>(RECEIVE_BATCH, "store events", this::storeBatch);

  JdbcInboxWrites(
      DataSource dataSource, InboxOptions options, JdbcDialect dialect, LeaseKeeper leases) {
    this.dataSource = dataSource;
    this.options = options;
    this.endpoint = options.endpoint();
    this.dialect = dialect;
    this.leases = leases;
  }

  Receipt receive(VerifiedEvent event, String signatureHeader, String clientAddress, String owner)
      throws InboxException {
    return receipts.submit(new Delivery(event, signatureHeader, clientAddress, owner));
  }

  /** A delivery to store; {@code owner}, when not null, claims it if it is new. */
  private record Delivery(
      VerifiedEvent event, String signatureHeader, String clientAddress, String owner) {}

  /**
   * Stores a batch of concurrent deliveries in one transaction; if that fails, each alone, so that
   * one delivery the database refuses fails only its own caller.
   */
  private void storeBatch(List<GroupCommit.Item<Delivery, Receipt>> batch) throws InboxException {
    if (batch.size() == 1) {
      storeTogether(batch);
      return;
    }
    try {
      storeTogether(batch);
    } catch (InboxException e) {
      for (GroupCommit.Item<Delivery, Receipt> item : batch) {
        try {
          storeTogether(List.of(item));
        } catch (InboxException alone) {
          item.fail(alone);
        }
      }
    }
  }

  /** Stores the deliveries in one transaction; answers each once it committed. */
  private void storeTogether(List<GroupCommit.Item<Delivery, Receipt>> batch)
      throws InboxException {
    // Truncated as the database stores it: a claim's record is built here, not read back.
    Instant now = now().truncatedTo(ChronoUnit.MICROS);
    List<Receipt> receipts = new ArrayList<>(batch.size());
    List<Claim> claims = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        for (GroupCommit.Item<Delivery, Receipt> item : batch) {
          Delivery delivery = item.value();
          InboxRecord row = arrival(delivery, now);
          Claim claim = delivery.owner() == null ? null : new Claim(row, delivery.owner(), false);
          Receipt receipt = insert(connection, row);
          if (receipt == Receipt.NEW && claim != null) {
            update(
                connection,
                ATTEMPT_START,
                endpoint,
                claim.eventId(),
                claim.owner,
                now,
                endpoint,
                claim.eventId());
            claims.add(claim);
          }
          receipts.add(receipt);
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable(
          batch.size() == 1
              ? "store event " + batch.get(0).value().event().id()
              : "store " + batch.size() + " events",
          e);
    }
    claims.forEach(leases::hold);
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).succeed(receipts.get(i));
    }
  }

  /**
   * The row a delivery stores: received, or, when it has an owner, claimed by it on arrival (its
   * first attempt, its lease running from now).
   */
  private InboxRecord arrival(Delivery delivery, Instant now) {
    VerifiedEvent event = delivery.event();
    String client = delivery.clientAddress();
    boolean claimed = delivery.owner() != null;
    return new InboxRecord(
        endpoint,
        event.id(),
        event.type(),
        event.livemode().orElse(null),
        event.account().orElse(null),
        event.apiVersion().orElse(null),
        event.dataObjectId().orElse(null),
        event.created().orElse(null),
        now,
        event.body(),
        delivery.signatureHeader(),
        client == null || client.length() <= 64 ? client : client.substring(0, 64),
        claimed ? InboxStatus.PROCESSING : InboxStatus.RECEIVED,
        claimed ? 1 : 0,
        null,
        now,
        claimed ? delivery.owner() : null,
        claimed ? now.plus(options.lease()) : null,
        null);
  }

  /** Inserts the row unless its event is stored. */
  private Receipt insert(Connection connection, InboxRecord row) throws SQLException {
    try {
      int inserted =
          update(
              connection,
              dialect.insert(INSERT),
              row.endpoint(),
              row.eventId(),
              row.type(),
              row.livemode(),
              row.account(),
              row.apiVersion(),
              row.dataObjectId(),
              row.created(),
              row.receivedAt(),
              row.heldBody(),
              row.signatureHeader(),
              row.clientAddress(),
              row.status().code(),
              row.attempts(),
              row.nextAttemptAt(),
              row.leaseOwner(),
              row.leaseUntil());
      if (inserted == 1) {
        return Receipt.NEW;
      }
    } catch (SQLException e) {
      // H2: a duplicate fails this statement only, not the transaction.
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
    }
    InboxStatus status = status(connection, row.eventId());
    return status != null && status.isFinal() ? Receipt.DONE : Receipt.PENDING;
  }

  Outcome process(String eventId, String owner, Work work) throws InboxException {
    Claim held = leases.held(eventId, owner);
    if (held != null) {
      return run(held, work); // claimed on arrival
    }
    DeliveryClaim claim = claimForDelivery(eventId, owner);
    if (claim.claim() == null) {
      return claim.refused();
    }
    leases.hold(claim.claim());
    return run(claim.claim(), work);
  }

  /** A delivery's claim, or why there is none. */
  private record DeliveryClaim(Claim claim, Outcome refused) {}

  /** Claims the event for a delivery being answered now: whatever its next attempt time. */
  private DeliveryClaim claimForDelivery(String eventId, String owner) throws InboxException {
    Instant now = now();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        boolean wasDead = false;
        int updated =
            update(
                connection,
                CLAIM + DELIVERY_CLAIMABLE,
                owner,
                now.plus(options.lease()),
                endpoint,
                eventId,
                now,
                options.attempts());
        if (updated == 0) {
          wasDead = true;
          updated =
              update(
                  connection,
                  CLAIM + DEAD_CLAIMABLE,
                  owner,
                  now.plus(options.lease()),
                  endpoint,
                  eventId,
                  now,
                  options.attempts());
        }
        if (updated == 0) {
          InboxStatus status = status(connection, eventId);
          connection.commit();
          return new DeliveryClaim(
              null,
              status == null
                  ? Outcome.UNKNOWN
                  : status.isFinal() ? Outcome.ALREADY_DONE : Outcome.BUSY);
        }
        startAttempt(connection, eventId, owner, now);
        Claim claimed = new Claim(select(connection, eventId).orElseThrow(), owner, wasDead);
        connection.commit();
        return new DeliveryClaim(claimed, null);
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("claim event " + eventId, e);
    }
  }

  Optional<InboxRecord> claim(String eventId, String owner) throws InboxException {
    Claim claim = leases.held(eventId, owner); // claimed on arrival
    if (claim == null) {
      claim = claimForDelivery(eventId, owner).claim();
    }
    if (claim == null) {
      return Optional.empty();
    }
    if (options.supersededGuard()) {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try {
          if (isSuperseded(connection, claim.record)) {
            leases.release(claim);
            commitIfFinished(connection, claim.record, owner, InboxStatus.SUPERSEDED);
            return Optional.empty();
          }
          connection.commit();
        } catch (SQLException | RuntimeException e) {
          rollback(connection);
          throw e;
        }
      } catch (SQLException | RuntimeException e) {
        throw unavailable("claim event " + eventId, e);
      }
    }
    leases.hold(claim);
    return Optional.of(claim.record);
  }

  Outcome finish(String eventId, String owner, Throwable failure) throws InboxException {
    Claim claim = leases.release(eventId, owner);
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (claim == null) {
          // Claimed through another instance of JdbcEventInbox: whether the event was dead
          // before is read from its attempts, as for an expired claim (Claim.wasDead).
          InboxRecord record = select(connection, eventId).orElse(null);
          if (record == null
              || record.status() != InboxStatus.PROCESSING
              || !owner.equals(record.leaseOwner())) {
            connection.commit();
            return Outcome.LEASE_LOST;
          }
          claim =
              new Claim(
                  record,
                  owner,
                  Claim.wasDead(InboxStatus.PROCESSING, record.attempts() - 1, options.attempts()));
        }
        return failure == null
            ? commitIfFinished(connection, claim.record, owner, InboxStatus.DONE)
            : recordFailure(connection, claim, failure);
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("finish event " + eventId, e);
    }
  }

  int processDue(String owner, int limit, Work work) throws InboxException {
    Instant now = now();
    List<Claim> claimed = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement select =
                dialect.dueCandidates(endpoint, now, limit).prepare(connection);
            ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            ids.add(rows.getString(1));
          }
        }
        for (String id : ids) {
          if (claimed.size() == limit) {
            break;
          }
          // The condition is checked again: without SKIP LOCKED, this is what claims only once.
          if (update(
                  connection, CLAIM + DUE, owner, now.plus(options.lease()), endpoint, id, now, now)
              == 1) {
            startAttempt(connection, id, owner, now);
            InboxRecord record = select(connection, id).orElseThrow();
            // Received and failed events are within their attempts: only an expired claim of a
            // dead event (taken by a delivery whose holder crashed) is past them.
            claimed.add(
                new Claim(
                    record,
                    owner,
                    Claim.wasDead(
                        InboxStatus.PROCESSING, record.attempts() - 1, options.attempts())));
          }
          if (!dialect.claimsInOneTransaction()) {
            connection.commit();
          }
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("claim due events", e);
    }
    claimed.forEach(leases::hold); // the last of the batch waits its turn
    try {
      runTogether(claimed, work); // one transaction marks the batch
    } finally {
      leases.releaseAll(claimed); // storage failed: their leases run out
    }
    return claimed.size();
  }

  /**
   * Runs a claim's work. Its transaction is opened only if the work asks for the connection ({@link
   * HandlingContext#connection()}): then the work's writes and the done mark commit together, as
   * one. Work that does not (an API call, an email) holds no connection while it runs; one is taken
   * for the mark afterwards.
   */
  private Outcome run(Claim claim, Work work) throws InboxException {
    if (options.supersededGuard()) {
      return runInTransaction(claim, work, null); // the guard reads first
    }
    OpenedOnUse transaction = new OpenedOnUse(dataSource, claim.eventId());
    Throwable failure = attempt(work, claim.record, HandlingContext.openedOnUse(transaction::open));
    Connection connection = transaction.end();
    if (connection == null) {
      try {
        connection = dataSource.getConnection();
      } catch (SQLException | RuntimeException e) {
        leases.release(claim);
        throw unavailable("finish event " + claim.eventId(), e);
      }
    }
    return runInTransaction(claim, work, new Attempted(connection, failure));
  }

  /** A work that ran already, on the transaction it opened; what it threw, or null. */
  private record Attempted(Connection connection, Throwable failure) {}

  /**
   * Runs a claim's work (unless {@code attempted}, when it ran already on that transaction) and
   * marks it in the same transaction.
   */
  private Outcome runInTransaction(Claim claim, Work work, Attempted attempted)
      throws InboxException {
    InboxRecord record = claim.record;
    String owner = claim.owner;
    try (Connection connection =
        attempted != null ? attempted.connection() : dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (attempted == null && options.supersededGuard() && isSuperseded(connection, record)) {
          leases.release(claim);
          return commitIfFinished(connection, record, owner, InboxStatus.SUPERSEDED);
        }
        Throwable failure =
            attempted != null ? attempted.failure() : attempt(work, record, connection);
        // Before the mark: a renewal after it would find the lease gone and warn.
        leases.release(claim);
        if (failure == null) {
          try {
            return commitIfFinished(connection, record, owner, InboxStatus.DONE);
          } catch (SQLException e) {
            failure = uncommitted(e); // recording it below may still fail the inbox
          }
        }
        connection.rollback();
        return recordFailure(connection, claim, failure);
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("finish event " + record.eventId(), e);
    } finally {
      leases.release(claim);
    }
  }

  /** The inbox's connection for a work, opened when the work first asks for it. */
  private static final class OpenedOnUse {
    private final DataSource dataSource;
    private final String eventId;
    private Connection connection;
    private Connection guarded;
    private boolean ended;

    OpenedOnUse(DataSource dataSource, String eventId) {
      this.dataSource = dataSource;
      this.eventId = eventId;
    }

    synchronized Connection open() throws SQLException {
      if (ended) {
        // A handler that kept its context: nothing would commit or close this connection.
        throw new IllegalStateException(
            "The handling of event "
                + LogText.escape(eventId)
                + " has ended: no connection to join");
      }
      if (guarded == null) {
        Connection opened = dataSource.getConnection();
        try {
          opened.setAutoCommit(false);
        } catch (SQLException | RuntimeException e) {
          opened.close();
          throw e;
        }
        connection = opened;
        guarded = TransactionGuard.wrap(opened);
      }
      return guarded;
    }

    /** Ends the work's use: the connection it opened, or null; none can be opened after. */
    synchronized Connection end() {
      ended = true;
      return connection;
    }
  }

  /** Records the failure of the claim's attempt and commits; {@link Outcome#LEASE_LOST} if lost. */
  private Outcome recordFailure(Connection connection, Claim claim, Throwable failure)
      throws SQLException {
    Outcome outcome = failureOf(connection, claim, failure);
    connection.commit();
    return outcome;
  }

  /** Records the failure of the claim's attempt in the transaction, not committing it. */
  private Outcome failureOf(Connection connection, Claim claim, Throwable failure)
      throws SQLException {
    Instant now = now();
    String error = Errors.describe(failure);
    Outcome outcome = claim.failedOutcome(options.attempts());
    int updated =
        update(
            connection,
            FAIL,
            claim.failedStatus(options.attempts()).code(),
            error,
            options.nextAttempt(now, claim.record.attempts()),
            endpoint,
            claim.eventId(),
            claim.owner);
    if (updated == 1) {
      endAttempt(connection, claim.eventId(), claim.owner, now, outcome, error);
    }
    return updated == 0 ? Outcome.LEASE_LOST : outcome;
  }

  /** Marks the event finished and commits, with the work's writes; or rolls both back. */
  private Outcome commitIfFinished(
      Connection connection, InboxRecord record, String owner, InboxStatus status)
      throws SQLException {
    Outcome outcome = finishIn(connection, record, owner, status);
    if (outcome == Outcome.LEASE_LOST) {
      connection.rollback();
    } else {
      connection.commit();
    }
    return outcome;
  }

  /**
   * Marks the event finished in the transaction, not committing it; {@link Outcome#LEASE_LOST},
   * having changed nothing, when {@code owner} no longer holds it.
   */
  private Outcome finishIn(
      Connection connection, InboxRecord record, String owner, InboxStatus status)
      throws SQLException {
    Instant now = now();
    if (update(connection, FINISH, status.code(), now, endpoint, record.eventId(), owner) == 0) {
      return Outcome.LEASE_LOST;
    }
    Outcome outcome = status == InboxStatus.DONE ? Outcome.DONE : Outcome.SUPERSEDED;
    endAttempt(connection, record.eventId(), owner, now, outcome, null);
    return outcome;
  }

  /**
   * Runs {@code work} on the events {@code owner} claimed on arrival, in one transaction: each
   * event's work and its mark within a savepoint, so that a failing event rolls back only its own
   * writes; one commit for them all, or, when their work is slow, one every 100 ms, so that a done
   * mark does not wait for the work of the events after it. The others are processed one by one.
   */
  List<Outcome> processClaimed(List<String> eventIds, String owner, Work work)
      throws InboxException {
    Map<String, Claim> held = new LinkedHashMap<>();
    for (String eventId : eventIds) {
      Claim claim = leases.held(eventId, owner);
      if (claim != null) {
        held.putIfAbsent(eventId, claim);
      }
    }
    Iterator<Outcome> together = runTogether(List.copyOf(held.values()), work).iterator();
    Map<String, Outcome> ran = new HashMap<>();
    held.keySet().forEach(eventId -> ran.put(eventId, together.next()));
    List<Outcome> outcomes = new ArrayList<>(eventIds.size());
    for (String eventId : eventIds) {
      Outcome outcome = ran.get(eventId);
      outcomes.add(outcome != null ? outcome : process(eventId, owner, work));
    }
    return outcomes;
  }

  private List<Outcome> runTogether(List<Claim> claims, Work work) throws InboxException {
    if (claims.isEmpty()) {
      return List.of();
    }
    List<Outcome> outcomes = new ArrayList<>(claims.size());
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        long started = System.nanoTime();
        for (Claim claim : claims) {
          outcomes.add(runIn(connection, claim, work));
          if (System.nanoTime() - started > BATCH_COMMIT_AFTER_NANOS) {
            // Slow work: the marks made so far do not wait for the rest, nor hold their rows.
            connection.commit();
            started = System.nanoTime();
          }
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      // The marks not yet committed are lost: those leases run out, the events are claimed again.
      throw unavailable("finish " + claims.size() + " events", e);
    } finally {
      claims.forEach(leases::release);
    }
    return outcomes;
  }

  /** Runs one claim's work and marks it in the shared transaction, within a savepoint. */
  private Outcome runIn(Connection connection, Claim claim, Work work) throws SQLException {
    InboxRecord record = claim.record;
    Savepoint before = connection.setSavepoint();
    if (options.supersededGuard() && isSuperseded(connection, record)) {
      leases.release(claim);
      return finishIn(connection, record, claim.owner, InboxStatus.SUPERSEDED);
    }
    Throwable failure = attempt(work, record, connection);
    leases.release(claim); // before the mark, as in run
    if (failure == null) {
      try {
        Outcome outcome = finishIn(connection, record, claim.owner, InboxStatus.DONE);
        if (outcome == Outcome.LEASE_LOST) {
          connection.rollback(before); // the work's writes go with the refused mark
        }
        return outcome;
      } catch (SQLException e) {
        failure = uncommitted(e);
      }
    }
    connection.rollback(before);
    return failureOf(connection, claim, failure);
  }

  /**
   * Runs one event's work in {@code connection}'s transaction.
   *
   * @return what it threw, or null: any Throwable, an Error included, is that attempt's failure
   */
  private static Throwable attempt(Work work, InboxRecord record, Connection connection) {
    return attempt(work, record, HandlingContext.of(TransactionGuard.wrap(connection)));
  }

  /** Runs one event's work with {@code context}; what it threw, or null (see above). */
  private static Throwable attempt(Work work, InboxRecord record, HandlingContext context) {
    try {
      work.run(record, context);
      return null;
    } catch (Throwable e) { // any: an Error of one event's work is that attempt's failure only
      return e;
    }
  }

  /**
   * The failure of an attempt whose work's transaction cannot take its done mark: PostgreSQL
   * refuses every statement after one failed, even one the handler caught. The attempt's, not the
   * inbox's.
   */
  private static SQLException uncommitted(SQLException e) {
    return new SQLException(
        "the handler's transaction could not be committed: " + e.getMessage(), e.getSQLState(), e);
  }

  /** Extends the lease of each claim its owner still holds; returns the others. */
  Set<Claim.Key> renew(Collection<Claim> claims, Instant until) throws SQLException {
    Set<Claim.Key> lost = new HashSet<>();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      for (Claim claim : claims) {
        try (PreparedStatement statement =
            prepare(connection, RENEW, until, endpoint, claim.eventId(), claim.owner)) {
          // The renewing threads serve every inbox: a hung database must not hold them.
          statement.setQueryTimeout(RENEW_TIMEOUT_SECONDS);
          if (statement.executeUpdate() == 0) {
            lost.add(claim.key());
          }
        }
      }
    }
    return lost;
  }

  /** Records the start of a claim, in its transaction; ends an expired one it takes over. */
  private void startAttempt(Connection connection, String eventId, String owner, Instant now)
      throws SQLException {
    update(connection, ATTEMPT_TAKEN_OVER, now, endpoint, eventId);
    update(connection, ATTEMPT_START, endpoint, eventId, owner, now, endpoint, eventId);
  }

  private void endAttempt(
      Connection connection,
      String eventId,
      String owner,
      Instant now,
      Outcome outcome,
      String error)
      throws SQLException {
    update(
        connection,
        ATTEMPT_END,
        now,
        outcome.name().toLowerCase(Locale.ROOT),
        error,
        endpoint,
        eventId,
        owner);
  }

  private boolean isSuperseded(Connection connection, InboxRecord record) throws SQLException {
    if (record.dataObjectId() == null || record.created() == null) {
      return false;
    }
    try (PreparedStatement statement =
            prepare(connection, NEWER_DONE, endpoint, record.dataObjectId(), record.created());
        ResultSet rows = statement.executeQuery()) {
      return rows.next();
    }
  }

  Optional<InboxRecord> find(String eventId) throws InboxException {
    try (Connection connection = dataSource.getConnection()) {
      return select(connection, eventId);
    } catch (SQLException | RuntimeException e) {
      throw unavailable("read event " + eventId, e);
    }
  }

  boolean replay(String eventId) throws InboxException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      return update(connection, REPLAY, now(), endpoint, eventId) == 1;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("replay event " + eventId, e);
    }
  }

  boolean resolve(String eventId) throws InboxException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      return update(connection, RESOLVE, now(), endpoint, eventId) == 1;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("resolve event " + eventId, e);
    }
  }

  int prune() throws InboxException {
    Instant cutoff = now().minus(options.retention());
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        update(connection, PRUNE_ATTEMPTS, endpoint, endpoint, cutoff);
        int pruned = update(connection, PRUNE, endpoint, cutoff);
        connection.commit();
        return pruned;
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("prune done events", e);
    }
  }

  private InboxStatus status(Connection connection, String eventId) throws SQLException {
    try (PreparedStatement statement = prepare(connection, SELECT_STATUS, endpoint, eventId);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? InboxStatus.fromCode(rows.getString(1)) : null;
    }
  }

  private Optional<InboxRecord> select(Connection connection, String eventId) throws SQLException {
    try (PreparedStatement statement = prepare(connection, SELECT, endpoint, eventId);
        ResultSet rows = statement.executeQuery()) {
      if (!rows.next()) {
        return Optional.empty();
      }
      boolean livemode = rows.getBoolean("livemode");
      return Optional.of(
          new InboxRecord(
              rows.getString("endpoint"),
              rows.getString("event_id"),
              rows.getString("event_type"),
              rows.wasNull() ? null : livemode,
              rows.getString("account"),
              rows.getString("api_version"),
              rows.getString("data_object_id"),
              instant(rows, "event_created"),
              instant(rows, "received_at"),
              rows.getBytes("body"),
              rows.getString("signature_header"),
              rows.getString("client_address"),
              InboxStatus.fromCode(rows.getString("status")),
              rows.getInt("attempts"),
              rows.getString("last_error"),
              instant(rows, "next_attempt_at"),
              rows.getString("lease_owner"),
              instant(rows, "lease_until"),
              instant(rows, "handled_at")));
    }
  }

  private Instant now() {
    return options.clock().instant();
  }
}
