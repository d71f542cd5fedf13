// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.VerifiedEvent;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * An inbox in a database table, {@code stripe_webhook_inbox}, through a {@link DataSource}: H2
 * for a single embedded instance, PostgreSQL for several instances sharing one database. The
 * table is created when absent (the statements are in {@code
 * dev/stripewebhook/inbox/schema.sql} inside the jar, documented for DBAs).
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
  public static final String SCHEMA_RESOURCE = "/dev/stripewebhook/inbox/schema.sql";

  private static final String TABLE = "stripe_webhook_inbox";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String COLUMNS = "event_id, event_type, livemode, account, api_version,"
      + " data_object_id, event_created, received_at, body, signature_header, client_address,"
      + " status, attempts, last_error, next_attempt_at, lease_owner, lease_until, handled_at";
  private static final String INSERT = "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES"
      + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 0, NULL, ?, NULL, NULL, NULL)";
  // PostgreSQL: a duplicate is no error (none in the server log for every redelivery). H2
  // rejects ON CONFLICT (event_id), so there a duplicate is the unique violation, caught.
  private static final String ON_CONFLICT = " ON CONFLICT (event_id) DO NOTHING";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM " + TABLE
      + " WHERE event_id = ?";
  private static final String SELECT_STATUS = "SELECT status FROM " + TABLE
      + " WHERE event_id = ?";
  private static final String CLAIM = "UPDATE " + TABLE + " SET status = 'processing',"
      + " lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE event_id = ? AND ";
  // A delivery being answered now may always try again: Stripe's redelivery is the retry.
  private static final String DELIVERY_CLAIMABLE = "(status IN ('received', 'failed', 'dead')"
      + " OR (status = 'processing' AND lease_until <= ?))";
  private static final String DUE = "((status IN ('received', 'failed') AND next_attempt_at <= ?)"
      + " OR (status = 'processing' AND lease_until <= ?))";
  private static final String SELECT_DUE = "SELECT event_id FROM " + TABLE + " WHERE " + DUE
      + " ORDER BY next_attempt_at, event_id FETCH FIRST %d ROWS ONLY";
  // H2 plans DUE's OR as a scan of the whole table, done rows included (kept for the retention
  // period); each half alone uses the index stripe_webhook_inbox_due. PostgreSQL plans the OR as
  // a BitmapOr over that index, and FOR UPDATE is not allowed with UNION: it keeps SELECT_DUE.
  private static final String SELECT_DUE_UNION = "SELECT event_id FROM (SELECT event_id,"
      + " next_attempt_at FROM " + TABLE + " WHERE status IN ('received', 'failed')"
      + " AND next_attempt_at <= ? UNION ALL SELECT event_id, next_attempt_at FROM " + TABLE
      + " WHERE status = 'processing' AND lease_until <= ?) due"
      + " ORDER BY next_attempt_at, event_id FETCH FIRST %d ROWS ONLY";
  // PostgreSQL skips rows other claimers have locked, so concurrent claimers get disjoint sets.
  // H2 applies the row limit before skipping locked rows (a second claimer then gets nothing):
  // there, candidates are read without locks and the conditional UPDATE decides.
  private static final String SKIP_LOCKED = " FOR UPDATE SKIP LOCKED";
  private static final int CANDIDATES_PER_CLAIM = 4;
  private static final String FINISH = "UPDATE " + TABLE + " SET status = ?, handled_at = ?,"
      + " last_error = NULL, lease_owner = NULL, lease_until = NULL"
      + " WHERE event_id = ? AND status = 'processing' AND lease_owner = ?";
  private static final String FAIL = "UPDATE " + TABLE + " SET status = ?, last_error = ?,"
      + " next_attempt_at = ?, lease_owner = NULL, lease_until = NULL"
      + " WHERE event_id = ? AND status = 'processing' AND lease_owner = ?";
  private static final String NEWER_DONE = "SELECT event_id FROM " + TABLE
      + " WHERE data_object_id = ? AND status = 'done' AND event_created > ?"
      + " FETCH FIRST 1 ROWS ONLY";
  private static final String REPLAY = "UPDATE " + TABLE + " SET status = 'received',"
      + " attempts = 0, next_attempt_at = ? WHERE event_id = ? AND status IN ('failed', 'dead')";
  private static final String PRUNE = "DELETE FROM " + TABLE
      + " WHERE status IN ('done', 'superseded') AND handled_at < ?";

  private final DataSource dataSource;
  private final InboxOptions options;
  private volatile boolean schemaReady;
  private volatile boolean postgres;

  private JdbcEventInbox(DataSource dataSource, InboxOptions options) {
    this.dataSource = dataSource;
    this.options = options;
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
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      String product = connection.getMetaData().getDatabaseProductName();
      postgres = product.contains("PostgreSQL");
      if (product.equals("H2")) {
        warnAboutH2WriteDelay(statement);
      }
      try {
        for (String sql : schemaStatements()) {
          statement.execute(sql);
        }
      } catch (SQLException e) {
        // Another instance may be creating it at this moment (PostgreSQL then reports a
        // unique violation in its catalog); the table is what matters.
        statement.executeQuery("SELECT event_id FROM " + TABLE + " WHERE 1 = 0").close();
      }
      schemaReady = true;
    } catch (SQLException e) {
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

  /** The statements of {@link #SCHEMA_RESOURCE}, without comments. */
  static List<String> schemaStatements() {
    String text;
    try (InputStream in = JdbcEventInbox.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      text = new String(Objects.requireNonNull(in, SCHEMA_RESOURCE).readAllBytes(),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SCHEMA_RESOURCE, e);
    }
    StringBuilder code = new StringBuilder();
    for (String line : text.split("\n")) {
      int comment = line.indexOf("--");
      code.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
    }
    List<String> statements = new ArrayList<>();
    for (String statement : code.toString().split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }

  @Override
  public Receipt receive(VerifiedEvent event, String signatureHeader, String clientAddress)
      throws InboxException {
    ensureSchema();
    Instant now = now();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      try {
        int inserted = update(connection, postgres ? INSERT + ON_CONFLICT : INSERT, event.id(),
            event.type(), event.livemode().orElse(null), event.account().orElse(null),
            event.apiVersion().orElse(null), event.dataObjectId().orElse(null),
            event.created().orElse(null), now, event.body(),
            Objects.requireNonNull(signatureHeader, "signatureHeader == null"),
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
      InboxStatus status = status(connection, event.id());
      return status != null && status.isFinal() ? Receipt.DONE : Receipt.PENDING;
    } catch (SQLException e) {
      throw unavailable("store event " + event.id(), e);
    }
  }

  @Override
  public Outcome process(String eventId, String owner, Work work) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    ensureSchema();
    Instant now = now();
    InboxRecord claimed;
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      int updated = update(connection, CLAIM + DELIVERY_CLAIMABLE, owner,
          now.plus(options.lease()), eventId, now);
      if (updated == 0) {
        InboxStatus status = status(connection, eventId);
        return status == null ? Outcome.UNKNOWN
            : status.isFinal() ? Outcome.ALREADY_DONE : Outcome.BUSY;
      }
      claimed = select(connection, eventId).orElseThrow();
    } catch (SQLException e) {
      throw unavailable("claim event " + eventId, e);
    }
    return run(claimed, owner, work);
  }

  @Override
  public int processDue(String owner, int limit, Work work) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    if (limit < 1) {
      return 0;
    }
    ensureSchema();
    Instant now = now();
    List<InboxRecord> claimed = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      // PostgreSQL: one transaction holding only rows it locked and others skip. Elsewhere each
      // claim commits alone: a transaction holding several row locks while it waits for
      // another's deadlocks with a claimer that took the same candidates in another order.
      connection.setAutoCommit(!postgres);
      try {
        List<String> ids = new ArrayList<>();
        String sql = postgres ? String.format(SELECT_DUE, limit) + SKIP_LOCKED
            : String.format(SELECT_DUE_UNION, limit * CANDIDATES_PER_CLAIM);
        try (PreparedStatement select = prepare(connection, sql, now, now);
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
          if (update(connection, CLAIM + DUE, owner, now.plus(options.lease()), id, now,
              now) == 1) {
            claimed.add(select(connection, id).orElseThrow());
          }
        }
        if (postgres) {
          connection.commit();
        }
      } catch (SQLException e) {
        if (postgres) {
          rollback(connection);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("claim due events", e);
    }
    for (InboxRecord record : claimed) {
      run(record, owner, work);
    }
    return claimed.size();
  }

  private Outcome run(InboxRecord record, String owner, Work work) throws InboxException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (options.supersededGuard() && isSuperseded(connection, record)) {
          return commitIfFinished(connection, record, owner, InboxStatus.SUPERSEDED);
        }
        Exception failure = null;
        try {
          work.run(record, HandlingContext.of(TransactionGuard.wrap(connection)));
        } catch (Exception e) {
          failure = e;
        }
        if (failure == null) {
          return commitIfFinished(connection, record, owner, InboxStatus.DONE);
        }
        connection.rollback();
        boolean dead = record.attempts() >= options.maxAttempts();
        Instant now = now();
        int updated = update(connection, FAIL,
            (dead ? InboxStatus.DEAD : InboxStatus.FAILED).code(), Errors.describe(failure),
            options.nextAttempt(now, record.attempts()), record.eventId(), owner);
        connection.commit();
        return updated == 0 ? Outcome.LEASE_LOST : dead ? Outcome.DEAD : Outcome.FAILED;
      } catch (SQLException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("finish event " + record.eventId(), e);
    }
  }

  /** Marks the event finished and commits, with the work's writes; or rolls both back. */
  private Outcome commitIfFinished(Connection connection, InboxRecord record, String owner,
      InboxStatus status) throws SQLException {
    if (update(connection, FINISH, status.code(), now(), record.eventId(), owner) == 0) {
      connection.rollback();
      return Outcome.LEASE_LOST;
    }
    connection.commit();
    return status == InboxStatus.DONE ? Outcome.DONE : Outcome.SUPERSEDED;
  }

  private boolean isSuperseded(Connection connection, InboxRecord record) throws SQLException {
    if (record.dataObjectId() == null || record.created() == null) {
      return false;
    }
    try (PreparedStatement statement = prepare(connection, NEWER_DONE, record.dataObjectId(),
        record.created()); ResultSet rows = statement.executeQuery()) {
      return rows.next();
    }
  }

  @Override
  public Optional<InboxRecord> find(String eventId) throws InboxException {
    ensureSchema();
    try (Connection connection = dataSource.getConnection()) {
      return select(connection, eventId);
    } catch (SQLException e) {
      throw unavailable("read event " + eventId, e);
    }
  }

  @Override
  public boolean replay(String eventId) throws InboxException {
    ensureSchema();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      return update(connection, REPLAY, now(), eventId) == 1;
    } catch (SQLException e) {
      throw unavailable("replay event " + eventId, e);
    }
  }

  @Override
  public int prune() throws InboxException {
    ensureSchema();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      return update(connection, PRUNE, now().minus(options.retention()));
    } catch (SQLException e) {
      throw unavailable("prune done events", e);
    }
  }

  private static InboxStatus status(Connection connection, String eventId) throws SQLException {
    try (PreparedStatement statement = prepare(connection, SELECT_STATUS, eventId);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? InboxStatus.fromCode(rows.getString(1)) : null;
    }
  }

  private static Optional<InboxRecord> select(Connection connection, String eventId)
      throws SQLException {
    try (PreparedStatement statement = prepare(connection, SELECT, eventId);
        ResultSet rows = statement.executeQuery()) {
      if (!rows.next()) {
        return Optional.empty();
      }
      boolean livemode = rows.getBoolean("livemode");
      return Optional.of(new InboxRecord(rows.getString("event_id"),
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
    } catch (SQLException e) {
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

  private static InboxException unavailable(String action, SQLException e) {
    return new InboxException("Event inbox cannot " + action + ": SQLState " + e.getSQLState()
        + ", " + e.getMessage(), e);
  }
}
