// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The inbox's tables: created when absent, upgraded in place from an older version, and checked, at
 * start-up. The version is the one row of {@code stripe_webhook_schema}; tables without that table
 * are version 1.
 *
 * <p>Two instances may start at once. On PostgreSQL the whole change is one transaction under an
 * advisory lock (its DDL is transactional): the second instance waits, then finds the tables
 * current. H2 commits each DDL statement on its own, so there instances of one JVM take turns, and
 * every upgrade statement can run again after a crash half way through.
 */
final class InboxSchema {
  private static final System.Logger LOG = System.getLogger(JdbcEventInbox.class.getName());

  /** The version this library reads and writes. */
  static final int VERSION = 2;

  static final String SCHEMA_RESOURCE = "/dev/stripewebhook/inbox/schema.sql";
  static final String UPGRADE_RESOURCE = "/dev/stripewebhook/inbox/upgrade-2.sql";
  static final String TABLE = "stripe_webhook_inbox";
  static final String ATTEMPTS = "stripe_webhook_inbox_attempt";

  /** The tables the inbox uses, each followed by the columns it reads and writes. */
  private static final List<List<String>> REQUIRED =
      List.of(
          List.of(
              TABLE,
              "endpoint",
              "event_id",
              "event_type",
              "livemode",
              "account",
              "api_version",
              "data_object_id",
              "event_created",
              "received_at",
              "body",
              "signature_header",
              "client_address",
              "status",
              "attempts",
              "last_error",
              "next_attempt_at",
              "lease_owner",
              "lease_until",
              "handled_at"),
          List.of(
              ATTEMPTS,
              "endpoint",
              "event_id",
              "attempt",
              "owner",
              "started_at",
              "finished_at",
              "outcome",
              "error"));

  private static final Object JVM_LOCK = new Object();
  private static final String PRIMARY_KEY =
      "SELECT constraint_name"
          + " FROM information_schema.table_constraints WHERE constraint_type = 'PRIMARY KEY'"
          + " AND UPPER(table_name) = ? AND table_schema = CURRENT_SCHEMA";

  private InboxSchema() {}

  /**
   * Makes the tables current over {@code connection}, or fails naming what is missing.
   *
   * @throws InboxException when, after creating or upgrading, a table or a column the inbox uses is
   *     missing: the message names it and the error of the statement that failed
   */
  static void ensure(Connection connection, JdbcDialect dialect) throws InboxException {
    SQLException failed = null;
    try {
      if (dialect.transactionalDdl()) {
        failed = migrateLocked(connection, dialect);
      } else {
        synchronized (JVM_LOCK) {
          failed = migrateLocked(connection, dialect);
        }
      }
      String missing = missingObject(connection);
      if (missing != null) {
        throw new InboxException(
            "Event inbox cannot use "
                + missing
                + (failed == null
                    ? ""
                    : "; creating or upgrading its tables to version "
                        + VERSION
                        + " failed (SQLState "
                        + failed.getSQLState()
                        + ", "
                        + failed.getMessage()
                        + ")")
                + ": run "
                + SCHEMA_RESOURCE.substring(1)
                + " (new tables) or "
                + UPGRADE_RESOURCE.substring(1)
                + " (tables of version 1), in the library's jar, as"
                + " the database owner, or let the application's user create and alter tables",
            failed);
      }
      if (failed != null) {
        LOG.log(
            Level.WARNING,
            "The event inbox's tables are usable, but making them current"
                + " failed (SQLState {0}, {1}); the next start tries again",
            failed.getSQLState(),
            failed.getMessage());
      }
    } catch (SQLException e) {
      throw new InboxException(
          "Event inbox cannot create or find its tables: SQLState "
              + e.getSQLState()
              + ", "
              + e.getMessage(),
          e);
    }
  }

  /** Creates or upgrades in one transaction; returns the error that rolled it back, if any. */
  private static SQLException migrateLocked(Connection connection, JdbcDialect dialect)
      throws SQLException {
    connection.setAutoCommit(false);
    try {
      dialect.lockSchema(connection);
      migrate(connection);
      connection.commit();
      return null;
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // The connection is broken: the check that follows reports it.
      }
      return e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static void migrate(Connection connection) throws SQLException {
    List<String> inbox = columns(connection, TABLE);
    List<String> attempts = columns(connection, ATTEMPTS);
    int version = version(connection);
    boolean upgrade =
        (inbox != null && (version < VERSION || !inbox.contains("endpoint")))
            || (attempts != null && (version < VERSION || !attempts.contains("endpoint")));
    if (inbox != null && attempts != null && !upgrade) {
      return; // current: no DDL, which the user may lack
    }
    try (Statement statement = connection.createStatement()) {
      if (inbox == null) {
        run(statement, SCHEMA_RESOURCE); // upgrade-2.sql needs the table to exist
      }
      if (upgrade) {
        LOG.log(
            Level.INFO,
            "Upgrading the event inbox''s tables from version {0} to {1}",
            Math.max(version, 1),
            VERSION);
        // Version 1 has unnamed primary keys: H2 made their names up. The upgrade names them.
        for (String table : List.of(TABLE, ATTEMPTS)) {
          String name = primaryKey(connection, table);
          if (name != null) {
            statement.execute("ALTER TABLE " + table + " DROP CONSTRAINT \"" + name + "\"");
          }
        }
        run(statement, UPGRADE_RESOURCE);
      }
      if (inbox != null) {
        run(statement, SCHEMA_RESOURCE); // creates whatever else is absent
      }
    }
  }

  private static void run(Statement statement, String resource) throws SQLException {
    for (String sql : statements(resource)) {
      statement.execute(sql);
    }
  }

  /** The lower-case column names of {@code table}, or {@code null} when it cannot be read. */
  private static List<String> columns(Connection connection, String table) throws SQLException {
    Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
        columns.add(rows.getMetaData().getColumnName(i).toLowerCase(Locale.ROOT));
      }
      return columns;
    } catch (SQLException e) {
      if (savepoint != null) {
        connection.rollback(savepoint); // PostgreSQL: the transaction goes on
      }
      return null;
    }
  }

  /** The recorded version; 0 when none is (version 1 tables, or none at all). */
  private static int version(Connection connection) throws SQLException {
    Savepoint savepoint = connection.setSavepoint();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM stripe_webhook_schema")) {
      return rows.next() ? rows.getInt(1) : 0;
    } catch (SQLException e) {
      connection.rollback(savepoint);
      return 0;
    }
  }

  private static String primaryKey(Connection connection, String table) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(PRIMARY_KEY)) {
      statement.setString(1, table.toUpperCase(Locale.ROOT));
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  /**
   * The first table the inbox needs that the database lacks, or lacks a column of, described for a
   * message; {@code null} when every table has every column.
   */
  static String missingObject(Connection connection) throws SQLException {
    for (List<String> required : REQUIRED) {
      String table = required.get(0);
      List<String> columns = columns(connection, table);
      if (columns == null) {
        return "the table " + table + ", which does not exist or cannot be read";
      }
      for (String column : required.subList(1, required.size())) {
        if (!columns.contains(column)) {
          return "the table " + table + ", which has no column " + column;
        }
      }
    }
    return null;
  }

  /** The statements of a SQL resource of this package, without comments. */
  static List<String> statements(String resource) {
    String text;
    try (InputStream in = InboxSchema.class.getResourceAsStream(resource)) {
      text =
          new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
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
}
