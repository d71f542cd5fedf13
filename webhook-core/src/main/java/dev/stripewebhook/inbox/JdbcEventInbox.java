// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.VerifiedEvent;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * An inbox of one endpoint in a database table, {@code stripe_webhook_inbox} (with the attempt
 * history in {@code stripe_webhook_inbox_attempt}), through a {@link DataSource}: H2 for a single
 * embedded instance, PostgreSQL for several instances sharing one database. Several endpoints
 * share the tables: every row carries its endpoint's name, and an inbox reads and writes only its
 * own endpoint's rows.
 *
 * <p>The tables are created when absent, and tables of an older version are upgraded in place,
 * at start-up, by one instance at a time (the statements are in {@code
 * dev/stripewebhook/inbox/schema.sql} and {@code upgrade-2.sql} inside the jar, documented for
 * DBAs). A user that may not create or alter tables works with tables a DBA made current.
 *
 * <p>Claims are short committed transactions ({@code FOR UPDATE SKIP LOCKED} when workers look
 * for due events, so that instances claim disjoint events); the work then runs in a second
 * transaction that ends with the conditional "done" update, so that a handler's writes through
 * {@link HandlingContext#connection()} commit with it or not at all.
 *
 * <p>Use a pooled DataSource: every call takes a connection and gives it back.
 *
 * @since 0.1
 */
public final class JdbcEventInbox implements EventInbox {
  private static final System.Logger LOG = System.getLogger(JdbcEventInbox.class.getName());

  /** The schema resource, with the SQL a DBA can run by hand. */
  public static final String SCHEMA_RESOURCE = InboxSchema.SCHEMA_RESOURCE;

  private static final String TABLE = InboxSchema.TABLE;
  private static final String ATTEMPTS = InboxSchema.ATTEMPTS;
  private static final String UNIQUE_VIOLATION = "23505";
  // Every statement names the inbox's endpoint: its rows are the only ones it sees.
  private static final String KEY = " endpoint = ? AND event_id = ?";
  private static final String COLUMNS = "endpoint, event_id, event_type, livemode, account,"
      + " api_version, data_object_id, event_created, received_at, body, signature_header,"
      + " client_address, status, attempts, last_error, next_attempt_at, lease_owner,"
      + " lease_until, handled_at";
  private static final String INSERT = "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES"
      + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 0, NULL, ?, NULL, NULL, NULL)";
  // PostgreSQL: a duplicate is no error (none in the server log for every redelivery). H2
  // rejects ON CONFLICT (...), so there a duplicate is the unique violation, caught.
  private static final String ON_CONFLICT = " ON CONFLICT (endpoint, event_id) DO NOTHING";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE" + KEY;
  private static final String SELECT_STATUS = "SELECT status FROM " + TABLE + " WHERE" + KEY;
  private static final String CLAIM = "UPDATE " + TABLE + " SET status = 'processing',"
      + " lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE" + KEY + " AND ";
  // A delivery being answered now may always try again, even a dead event: Stripe's redelivery
  // is the retry. Live and dead events are claimed by two statements, so that a claim knows
  // whether the event was dead before (Claim.wasDead); the common case takes the first only.
  private static final String DELIVERY_CLAIMABLE = "(status IN ('received', 'failed')"
      + " OR (status = 'processing' AND lease_until <= ? AND attempts <= ?))";
  private static final String DEAD_CLAIMABLE = "(status = 'dead'"
      + " OR (status = 'processing' AND lease_until <= ? AND attempts > ?))";
  private static final String DUE = "((status IN ('received', 'failed') AND next_attempt_at <= ?)"
      + " OR (status = 'processing' AND lease_until <= ?))";
  private static final String SELECT_DUE = "SELECT event_id FROM " + TABLE
      + " WHERE endpoint = ? AND " + DUE
      + " ORDER BY next_attempt_at, event_id FETCH FIRST %d ROWS ONLY";
  // H2 plans DUE's OR, and an IN on status (the index's second column), as a scan of all the
  // endpoint's rows, done ones included (kept for the retention period); each status alone is a
  // range of the index stripe_webhook_inbox_due. PostgreSQL plans the OR as a BitmapOr over that
  // index, and FOR UPDATE is not allowed with UNION: it keeps SELECT_DUE.
  private static final String SELECT_DUE_UNION = "SELECT event_id FROM ("
      + dueOf("received", "next_attempt_at") + " UNION ALL " + dueOf("failed", "next_attempt_at")
      + " UNION ALL " + dueOf("processing", "lease_until") + ") due"
      + " ORDER BY next_attempt_at, event_id FETCH FIRST %d ROWS ONLY";
  // PostgreSQL skips rows other claimers have locked, so concurrent claimers get disjoint sets.
  // H2 applies the row limit before skipping locked rows (a second claimer then gets nothing):
  // there, candidates are read without locks and the conditional UPDATE decides.
  private static final String SKIP_LOCKED = " FOR UPDATE SKIP LOCKED";
  private static final int CANDIDATES_PER_CLAIM = 4;
  private static final String HELD = KEY + " AND status = 'processing' AND lease_owner = ?";
  private static final String FINISH = "UPDATE " + TABLE + " SET status = ?, handled_at = ?,"
      + " last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE" + HELD;
  private static final String FAIL = "UPDATE " + TABLE + " SET status = ?, last_error = ?,"
      + " next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE" + HELD;
  private static final String RENEW = "UPDATE " + TABLE + " SET lease_until = ? WHERE" + HELD;
  private static final int RENEW_TIMEOUT_SECONDS = 5;
  private static final String NEWER_DONE = "SELECT event_id FROM " + TABLE
      + " WHERE endpoint = ? AND data_object_id = ? AND status = 'done' AND event_created > ?"
      + " FETCH FIRST 1 ROWS ONLY";
  private static final String REPLAY = "UPDATE " + TABLE + " SET status = 'received',"
      + " attempts = 0, next_attempt_at = ? WHERE" + KEY + " AND status IN ('failed', 'dead')";
  private static final String RESOLVE = "UPDATE " + TABLE + " SET status = 'resolved',"
      + " handled_at = ? WHERE" + KEY + " AND status IN ('failed', 'dead')";
  private static final String PRUNABLE = " WHERE endpoint = ?"
      + " AND status IN ('done', 'superseded', 'resolved') AND handled_at < ?";
  private static final String PRUNE_ATTEMPTS = "DELETE FROM " + ATTEMPTS + " WHERE endpoint = ?"
      + " AND event_id IN (SELECT event_id FROM " + TABLE + PRUNABLE + ")";
  private static final String PRUNE = "DELETE FROM " + TABLE + PRUNABLE;
  // A claim taking over an expired lease ends the previous owner's attempt first.
  private static final String ATTEMPT_TAKEN_OVER = "UPDATE " + ATTEMPTS + " SET finished_at = ?,"
      + " outcome = 'lease_lost' WHERE" + KEY + " AND finished_at IS NULL";
  // Numbered on across replays; the claim's row lock on the event serializes the numbering.
  private static final String ATTEMPT_START = "INSERT INTO " + ATTEMPTS + " (endpoint, event_id,"
      + " attempt, owner, started_at) SELECT ?, ?, COALESCE(MAX(attempt), 0) + 1, ?, ? FROM "
      + ATTEMPTS + " WHERE" + KEY;
  private static final String ATTEMPT_END = "UPDATE " + ATTEMPTS + " SET finished_at = ?,"
      + " outcome = ?, error = ? WHERE" + KEY + " AND owner = ? AND finished_at IS NULL";
  private static final String SELECT_ATTEMPTS = "SELECT attempt, owner, started_at, finished_at,"
      + " outcome, error FROM " + ATTEMPTS + " WHERE" + KEY + " ORDER BY attempt";
  private static final String SUMMARY_COLUMNS = "endpoint, event_id, event_type, livemode,"
      + " account, data_object_id, event_created, received_at, status, attempts, last_error,"
      + " handled_at";
  // The position as (received_at, event_id) < (?, ?), spelt out; the leading received_at <= ?
  // is redundant but is what lets H2 start the index scan at the position (without it, H2 reads
  // the index from the newest row and filters: a deep page then costs as much as OFFSET).
  private static final String BEFORE_POSITION = "received_at <= ? AND (received_at < ?"
      + " OR (received_at = ? AND event_id < ?))";
  // An event id or a data object id, as an IN on the primary key: an OR of the two columns
  // would make H2 scan the table.
  private static final String SEARCH = "event_id IN (SELECT event_id FROM " + TABLE
      + " WHERE endpoint = ? AND data_object_id = ? UNION ALL SELECT CAST(? AS VARCHAR(255))"
      + " FROM " + TABLE + " WHERE" + KEY + ")";
  // Ordering by endpoint too (a constant) lets H2 see that the index led by it gives the order.
  private static final String NEWEST_FIRST = " ORDER BY endpoint, received_at DESC,"
      + " event_id DESC";
  private static final String ABOUT_OBJECT = "SELECT " + SUMMARY_COLUMNS + " FROM " + TABLE
      + " WHERE endpoint = ? AND data_object_id = ? ORDER BY event_created, received_at, event_id"
      + " FETCH FIRST %d ROWS ONLY";
  // Read from the index on (endpoint, status, next_attempt_at): an index-only scan on PostgreSQL.
  private static final String COUNT_BY_STATUS = "SELECT status, COUNT(*) FROM " + TABLE
      + " WHERE endpoint = ? GROUP BY status";
  // One status at a time, as SELECT_DUE_UNION does for H2: each a range of the status index.
  private static final String BACKLOG = "SELECT SUM(events), MIN(oldest) FROM ("
      + backlogOf("received") + " UNION ALL " + backlogOf("processing") + " UNION ALL "
      + backlogOf("failed") + ") backlog";

  /** The SELECT of up to {@code limit} due candidates on H2, with its parameters. */
  ListStatement dueCandidates(Instant now, int limit) {
    return new ListStatement(String.format(SELECT_DUE_UNION, limit),
        new Object[] {endpoint, now, endpoint, now, endpoint, now});
  }

  private static String dueOf(String status, String dueColumn) {
    return "SELECT event_id, next_attempt_at FROM " + TABLE + " WHERE endpoint = ? AND status = '"
        + status + "' AND " + dueColumn + " <= ?";
  }

  private static String backlogOf(String status) {
    return "SELECT COUNT(*) AS events, MIN(received_at) AS oldest FROM " + TABLE
        + " WHERE endpoint = ? AND status = '" + status + "'";
  }

  private final DataSource dataSource;
  private final InboxOptions options;
  private final String endpoint;
  /** Renews the claims this instance holds until they are finished. */
  private final LeaseKeeper leases;
  private volatile boolean schemaReady;
  private volatile boolean postgres;

  private JdbcEventInbox(DataSource dataSource, InboxOptions options) {
    this.dataSource = dataSource;
    this.options = options;
    this.endpoint = options.endpoint();
    this.leases = new LeaseKeeper(options, this::renew);
  }

  /**
   * An inbox over {@code dataSource}, creating the table now when absent. When the database
   * cannot be reached now, that is logged and tried again on first use, so that an application
   * starts while its database is briefly down (deliveries are answered 503 meanwhile).
   */
  public static JdbcEventInbox create(DataSource dataSource, InboxOptions options) {
    JdbcEventInbox inbox = new JdbcEventInbox(
        Objects.requireNonNull(dataSource, "dataSource == null"),
        Objects.requireNonNull(options, "options == null"));
    try {
      inbox.ensureSchema();
    } catch (InboxException e) {
      LOG.log(Level.WARNING, e.getMessage() + "; trying again on first use");
    }
    return inbox;
  }

  private void ensureSchema() throws InboxException {
    if (schemaReady) {
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      String product = connection.getMetaData().getDatabaseProductName();
      postgres = product.contains("PostgreSQL");
      if (product.equals("H2")) {
        try (Statement statement = connection.createStatement()) {
          warnAboutH2WriteDelay(statement);
        }
      }
      InboxSchema.ensure(connection, postgres);
      schemaReady = true;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("create or find the table " + TABLE, e);
    }
  }

  /**
   * H2 writes commits to its file in the background, {@code WRITE_DELAY} (500 ms by default)
   * later: a process killed meanwhile loses events it has already answered 200 for (measured: 158
   * of 15,624 acknowledged commits). {@code ;WRITE_DELAY=0} in the URL writes each commit.
   */
  private static void warnAboutH2WriteDelay(Statement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery("SELECT SETTING_VALUE FROM"
        + " INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      if (rows.next() && !"0".equals(rows.getString(1))) {
        LOG.log(Level.WARNING, "The event inbox''s H2 database has WRITE_DELAY={0} ms: commits"
            + " reach its file up to that late, so a killed process can lose events already"
            + " answered 200. Add ;WRITE_DELAY=0 to the JDBC URL.", rows.getString(1));
      }
    }
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  @Override
  public Receipt receive(VerifiedEvent event, String signatureHeader, String clientAddress)
      throws InboxException {
    Objects.requireNonNull(signatureHeader, "signatureHeader == null");
    ensureSchema();
    Instant now = now();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      try {
        int inserted = update(connection, postgres ? INSERT + ON_CONFLICT : INSERT, endpoint,
            event.id(), event.type(), event.livemode().orElse(null), event.account().orElse(null),
            event.apiVersion().orElse(null), event.dataObjectId().orElse(null),
            event.created().orElse(null), now, event.body(), signatureHeader,
            clientAddress == null || clientAddress.length() <= 64 ? clientAddress
                : clientAddress.substring(0, 64),
            now);
        if (inserted == 1) {
          return Receipt.NEW;
        }
      } catch (SQLException e) {
        if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw e;
        }
      }
      InboxStatus status = status(connection, endpoint, event.id());
      return status != null && status.isFinal() ? Receipt.DONE : Receipt.PENDING;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("store event " + event.id(), e);
    }
  }

  @Override
  public Outcome process(String eventId, String owner, Work work) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
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
    ensureSchema();
    Instant now = now();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        boolean wasDead = false;
        int updated = update(connection, CLAIM + DELIVERY_CLAIMABLE, owner,
            now.plus(options.lease()), endpoint, eventId, now, options.maxAttempts());
        if (updated == 0) {
          wasDead = true;
          updated = update(connection, CLAIM + DEAD_CLAIMABLE, owner,
              now.plus(options.lease()), endpoint, eventId, now, options.maxAttempts());
        }
        if (updated == 0) {
          InboxStatus status = status(connection, endpoint, eventId);
          connection.commit();
          return new DeliveryClaim(null, status == null ? Outcome.UNKNOWN
              : status.isFinal() ? Outcome.ALREADY_DONE : Outcome.BUSY);
        }
        startAttempt(connection, eventId, owner, now);
        Claim claimed = new Claim(select(connection, endpoint, eventId).orElseThrow(), owner,
            wasDead);
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

  @Override
  public Optional<InboxRecord> claim(String eventId, String owner) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    Claim claim = claimForDelivery(eventId, owner).claim();
    if (claim == null) {
      return Optional.empty();
    }
    if (options.supersededGuard()) {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try {
          if (isSuperseded(connection, claim.record)) {
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

  @Override
  public Outcome finish(String eventId, String owner, Throwable failure) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    ensureSchema();
    Claim claim = leases.release(eventId, owner);
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (claim == null) {
          // Claimed through another instance of this class: whether the event was dead before
          // is read from its attempts, as for an expired claim (Claim.wasDead).
          InboxRecord record = select(connection, endpoint, eventId).orElse(null);
          if (record == null || record.status() != InboxStatus.PROCESSING
              || !owner.equals(record.leaseOwner())) {
            connection.commit();
            return Outcome.LEASE_LOST;
          }
          claim = new Claim(record, owner, Claim.wasDead(InboxStatus.PROCESSING,
              record.attempts() - 1, options.maxAttempts()));
        }
        return failure == null ? commitIfFinished(connection, claim.record, owner,
            InboxStatus.DONE) : recordFailure(connection, claim, failure);
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("finish event " + eventId, e);
    }
  }

  @Override
  public int processDue(String owner, int limit, Work work) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    if (limit < 1) {
      return 0;
    }
    ensureSchema();
    Instant now = now();
    List<Claim> claimed = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      // PostgreSQL: one transaction holding only rows it locked and others skip. Elsewhere each
      // claim commits alone: a transaction holding several row locks while it waits for
      // another's deadlocks with a claimer that took the same candidates in another order.
      connection.setAutoCommit(false);
      try {
        List<String> ids = new ArrayList<>();
        ListStatement candidates = postgres ? new ListStatement(
            String.format(SELECT_DUE, limit) + SKIP_LOCKED, new Object[] {endpoint, now, now})
            : dueCandidates(now, limit * CANDIDATES_PER_CLAIM);
        try (PreparedStatement select = candidates.prepare(connection);
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
          if (update(connection, CLAIM + DUE, owner, now.plus(options.lease()), endpoint, id,
              now, now) == 1) {
            startAttempt(connection, id, owner, now);
            InboxRecord record = select(connection, endpoint, id).orElseThrow();
            // Received and failed events are within their attempts: only an expired claim of a
            // dead event (taken by a delivery whose holder crashed) is past them.
            claimed.add(new Claim(record, owner, Claim.wasDead(InboxStatus.PROCESSING,
                record.attempts() - 1, options.maxAttempts())));
          }
          if (!postgres) {
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
    claimed.forEach(leases::hold);                 // the last of the batch waits its turn
    try {
      for (Claim claim : claimed) {
        run(claim, work);
      }
    } finally {
      leases.releaseAll(claimed);                  // storage failed: their leases run out
    }
    return claimed.size();
  }

  private Outcome run(Claim claim, Work work) throws InboxException {
    InboxRecord record = claim.record;
    String owner = claim.owner;
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (options.supersededGuard() && isSuperseded(connection, record)) {
          leases.release(claim);
          return commitIfFinished(connection, record, owner, InboxStatus.SUPERSEDED);
        }
        Throwable failure = null;
        try {
          work.run(record, HandlingContext.of(TransactionGuard.wrap(connection)));
        } catch (Throwable e) {  // any: an Error of one event's work is that attempt's failure only
          failure = e;
        }
        // Before the mark: a renewal after it would find the lease gone and warn.
        leases.release(claim);
        if (failure == null) {
          try {
            return commitIfFinished(connection, record, owner, InboxStatus.DONE);
          } catch (SQLException e) {
            // The work's transaction cannot commit: PostgreSQL aborts it on any failed statement,
            // even one the handler caught. A failure of this attempt, not of the inbox, unless
            // recording the failure below fails too.
            failure = new SQLException("the handler's transaction could not be committed: "
                + e.getMessage(), e.getSQLState(), e);
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

  /** Records the failure of the claim's attempt and commits; {@link Outcome#LEASE_LOST} if lost. */
  private Outcome recordFailure(Connection connection, Claim claim, Throwable failure)
      throws SQLException {
    Instant now = now();
    String error = Errors.describe(failure);
    Outcome outcome = claim.failedOutcome(options.maxAttempts());
    int updated = update(connection, FAIL, claim.failedStatus(options.maxAttempts()).code(),
        error, options.nextAttempt(now, claim.record.attempts()), endpoint, claim.eventId(),
        claim.owner);
    if (updated == 1) {
      endAttempt(connection, claim.eventId(), claim.owner, now, outcome, error);
    }
    connection.commit();
    return updated == 0 ? Outcome.LEASE_LOST : outcome;
  }

  /** Marks the event finished and commits, with the work's writes; or rolls both back. */
  private Outcome commitIfFinished(Connection connection, InboxRecord record, String owner,
      InboxStatus status) throws SQLException {
    Instant now = now();
    if (update(connection, FINISH, status.code(), now, endpoint, record.eventId(),
        owner) == 0) {
      connection.rollback();
      return Outcome.LEASE_LOST;
    }
    Outcome outcome = status == InboxStatus.DONE ? Outcome.DONE : Outcome.SUPERSEDED;
    endAttempt(connection, record.eventId(), owner, now, outcome, null);
    connection.commit();
    return outcome;
  }

  /** Extends the lease of each claim its owner still holds; returns the others. */
  private Set<Claim.Key> renew(Collection<Claim> claims, Instant until) throws SQLException {
    Set<Claim.Key> lost = new HashSet<>();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      for (Claim claim : claims) {
        try (PreparedStatement statement = prepare(connection, RENEW, until, endpoint,
            claim.eventId(), claim.owner)) {
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

  /** What keeps this instance's claims alive; tests beat it by hand. */
  LeaseKeeper leases() {
    return leases;
  }

  /** Records the start of a claim, in its transaction; ends an expired one it takes over. */
  private void startAttempt(Connection connection, String eventId, String owner, Instant now)
      throws SQLException {
    update(connection, ATTEMPT_TAKEN_OVER, now, endpoint, eventId);
    update(connection, ATTEMPT_START, endpoint, eventId, owner, now, endpoint, eventId);
  }

  private void endAttempt(Connection connection, String eventId, String owner,
      Instant now, Outcome outcome, String error) throws SQLException {
    update(connection, ATTEMPT_END, now, outcome.name().toLowerCase(Locale.ROOT), error,
        endpoint, eventId, owner);
  }

  private boolean isSuperseded(Connection connection, InboxRecord record) throws SQLException {
    if (record.dataObjectId() == null || record.created() == null) {
      return false;
    }
    try (PreparedStatement statement = prepare(connection, NEWER_DONE, endpoint,
        record.dataObjectId(), record.created()); ResultSet rows = statement.executeQuery()) {
      return rows.next();
    }
  }

  @Override
  public Optional<InboxRecord> find(String eventId) throws InboxException {
    ensureSchema();
    try (Connection connection = dataSource.getConnection()) {
      return select(connection, endpoint, eventId);
    } catch (SQLException | RuntimeException e) {
      throw unavailable("read event " + eventId, e);
    }
  }

  @Override
  public boolean replay(String eventId) throws InboxException {
    ensureSchema();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      return update(connection, REPLAY, now(), endpoint, eventId) == 1;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("replay event " + eventId, e);
    }
  }

  @Override
  public boolean resolve(String eventId) throws InboxException {
    ensureSchema();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      return update(connection, RESOLVE, now(), endpoint, eventId) == 1;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("resolve event " + eventId, e);
    }
  }

  @Override
  public int prune() throws InboxException {
    ensureSchema();
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

  @Override
  public EventPage list(EventQuery query) throws InboxException {
    Objects.requireNonNull(query, "query == null");
    ensureSchema();
    ListStatement statement = ListStatement.of(endpoint, query);
    try (Connection connection = dataSource.getConnection()) {
      List<EventSummary> events = summaries(connection, statement.sql(), statement.parameters());
      if (events.size() <= query.limit()) {
        return new EventPage(events, null);
      }
      List<EventSummary> page = events.subList(0, query.limit());
      return new EventPage(page, EventQuery.Position.of(page.get(page.size() - 1)).cursor());
    } catch (SQLException | RuntimeException e) {
      throw unavailable("list events", e);
    }
  }

  @Override
  public Map<InboxStatus, Long> countByStatus() throws InboxException {
    ensureSchema();
    Map<InboxStatus, Long> counts = new EnumMap<>(InboxStatus.class);
    for (InboxStatus status : InboxStatus.values()) {
      counts.put(status, 0L);
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = prepare(connection, COUNT_BY_STATUS, endpoint);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        counts.put(InboxStatus.fromCode(rows.getString(1)), rows.getLong(2));
      }
      return counts;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("count events", e);
    }
  }

  @Override
  public InboxBacklog backlog() throws InboxException {
    ensureSchema();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = prepare(connection, BACKLOG, endpoint, endpoint, endpoint);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return new InboxBacklog(rows.getLong(1), instant(rows, 2));
    } catch (SQLException | RuntimeException e) {
      throw unavailable("count the backlog", e);
    }
  }

  @Override
  public List<EventSummary> aboutObject(String dataObjectId, int limit) throws InboxException {
    Objects.requireNonNull(dataObjectId, "dataObjectId == null");
    ensureSchema();
    try (Connection connection = dataSource.getConnection()) {
      return summaries(connection, String.format(ABOUT_OBJECT, Math.max(1, limit)), endpoint,
          dataObjectId);
    } catch (SQLException | RuntimeException e) {
      throw unavailable("list the events about " + dataObjectId, e);
    }
  }

  @Override
  public List<ProcessingAttempt> attempts(String eventId) throws InboxException {
    ensureSchema();
    List<ProcessingAttempt> attempts = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = prepare(connection, SELECT_ATTEMPTS, endpoint, eventId);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        String outcome = rows.getString("outcome");
        attempts.add(new ProcessingAttempt(rows.getInt("attempt"), rows.getString("owner"),
            instant(rows, "started_at"), instant(rows, "finished_at"),
            outcome == null ? null : Outcome.valueOf(outcome.toUpperCase(Locale.ROOT)),
            rows.getString("error")));
      }
      return attempts;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("read the attempts of event " + eventId, e);
    }
  }

  /**
   * A SELECT with its parameters; for {@link #list}, one page plus one row, which tells whether
   * another follows.
   */
  record ListStatement(String sql, Object[] parameters) {
    static ListStatement of(String endpoint, EventQuery query) {
      StringBuilder sql = new StringBuilder("SELECT ").append(SUMMARY_COLUMNS).append(" FROM ")
          .append(TABLE).append(" WHERE endpoint = ?");
      List<Object> parameters = new ArrayList<>();
      parameters.add(endpoint);
      if (!query.statuses().isEmpty()) {
        sql.append(" AND status IN (");
        String separator = "";
        for (InboxStatus status : query.statuses()) {
          sql.append(separator).append('?');
          parameters.add(status.code());
          separator = ", ";
        }
        sql.append(')');
      }
      if (query.type() != null) {
        sql.append(" AND event_type = ?");
        parameters.add(query.type());
      }
      if (query.receivedFrom() != null) {
        sql.append(" AND received_at >= ?");
        parameters.add(query.receivedFrom());
      }
      if (query.receivedBefore() != null) {
        sql.append(" AND received_at < ?");
        parameters.add(query.receivedBefore());
      }
      if (query.livemode() != null) {
        sql.append(" AND livemode = ?");
        parameters.add(query.livemode());
      }
      if (query.search() != null) {
        sql.append(" AND ").append(SEARCH);
        parameters.add(endpoint);
        parameters.add(query.search());
        parameters.add(query.search());
        parameters.add(endpoint);
        parameters.add(query.search());
      }
      if (query.after() != null) {
        sql.append(" AND ").append(BEFORE_POSITION);
        parameters.add(query.after().receivedAt());
        parameters.add(query.after().receivedAt());
        parameters.add(query.after().receivedAt());
        parameters.add(query.after().eventId());
      }
      // With one status, ordering by it too (a constant) lets H2 see that the status index gives
      // the order: otherwise it reads every row of that status through another index and sorts.
      sql.append(query.statuses().size() == 1
          ? " ORDER BY endpoint, status," + NEWEST_FIRST.substring(" ORDER BY endpoint,".length())
          : NEWEST_FIRST).append(" FETCH FIRST ").append(query.limit() + 1).append(" ROWS ONLY");
      return new ListStatement(sql.toString(), parameters.toArray());
    }

    /** A statement with these parameters set, for a plan or a measurement. */
    PreparedStatement prepare(Connection connection) throws SQLException {
      return JdbcEventInbox.prepare(connection, sql, parameters);
    }
  }

  private static List<EventSummary> summaries(Connection connection, String sql,
      Object... parameters) throws SQLException {
    List<EventSummary> summaries = new ArrayList<>();
    try (PreparedStatement statement = prepare(connection, sql, parameters);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        boolean livemode = rows.getBoolean("livemode");
        summaries.add(new EventSummary(rows.getString("endpoint"), rows.getString("event_id"),
            rows.getString("event_type"),
            rows.wasNull() ? null : livemode, rows.getString("account"),
            rows.getString("data_object_id"), instant(rows, "event_created"),
            instant(rows, "received_at"), InboxStatus.fromCode(rows.getString("status")),
            rows.getInt("attempts"), rows.getString("last_error"),
            instant(rows, "handled_at")));
      }
    }
    return summaries;
  }

  private static InboxStatus status(Connection connection, String endpoint, String eventId)
      throws SQLException {
    try (PreparedStatement statement = prepare(connection, SELECT_STATUS, endpoint, eventId);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? InboxStatus.fromCode(rows.getString(1)) : null;
    }
  }

  private static Optional<InboxRecord> select(Connection connection, String endpoint,
      String eventId) throws SQLException {
    try (PreparedStatement statement = prepare(connection, SELECT, endpoint, eventId);
        ResultSet rows = statement.executeQuery()) {
      if (!rows.next()) {
        return Optional.empty();
      }
      boolean livemode = rows.getBoolean("livemode");
      return Optional.of(new InboxRecord(rows.getString("endpoint"), rows.getString("event_id"),
          rows.getString("event_type"), rows.wasNull() ? null : livemode,
          rows.getString("account"), rows.getString("api_version"),
          rows.getString("data_object_id"), instant(rows, "event_created"),
          instant(rows, "received_at"), rows.getBytes("body"),
          rows.getString("signature_header"), rows.getString("client_address"),
          InboxStatus.fromCode(rows.getString("status")), rows.getInt("attempts"),
          rows.getString("last_error"), instant(rows, "next_attempt_at"),
          rows.getString("lease_owner"), instant(rows, "lease_until"),
          instant(rows, "handled_at")));
    }
  }

  private static Instant instant(ResultSet rows, String column) throws SQLException {
    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static Instant instant(ResultSet rows, int column) throws SQLException {
    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static int update(Connection connection, String sql, Object... parameters)
      throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, parameters)) {
      return statement.executeUpdate();
    }
  }

  private static PreparedStatement prepare(Connection connection, String sql,
      Object... parameters) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < parameters.length; i++) {
        Object value = parameters[i];
        if (value instanceof Instant instant) {
          statement.setObject(i + 1, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC),
              Types.TIMESTAMP_WITH_TIMEZONE);
        } else if (value == null) {
          statement.setNull(i + 1, Types.NULL);
        } else {
          statement.setObject(i + 1, value);
        }
      }
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }

  private static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // The connection is broken; closing it discards the transaction.
    }
  }

  private Instant now() {
    return options.clock().instant();
  }

  /**
   * The failure of the storage as an {@link InboxException}: an {@link SQLException}, or any
   * RuntimeException of the driver or of binding a value (such as a {@code DateTimeException}
   * for an instant outside SQL's range), which callers must not see raw.
   */
  private static InboxException unavailable(String action, Exception e) {
    String detail = e instanceof SQLException sql ? "SQLState " + sql.getSQLState() + ", "
        + sql.getMessage() : e.toString();
    return new InboxException("Event inbox cannot " + action + ": " + detail, e);
  }
}
