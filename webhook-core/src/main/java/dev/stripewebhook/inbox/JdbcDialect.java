// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * Where H2 and PostgreSQL need different SQL or a different use of transactions: every such
 * difference of {@link JdbcEventInbox} is here, and the dialect is chosen once, from the database's
 * product name, when the tables are made ready. A database that is not PostgreSQL is spoken to as
 * H2 is.
 */
enum JdbcDialect {
  H2 {
    // H2 rejects ON CONFLICT (...): a duplicate is the unique violation, which receive catches.
    @Override
    String insert(String insert) {
      return insert;
    }

    // DUE's OR, and an IN on status (the index's second column), are planned as a scan of all
    // the endpoint's rows, done ones included (kept for the retention period); each status alone
    // is a range of the index stripe_webhook_inbox_due.
    @Override
    SqlStatement dueCandidates(String endpoint, Instant now, int claims) {
      return new SqlStatement(
          String.format(SELECT_DUE_UNION, claims * CANDIDATES_PER_CLAIM),
          new Object[] {endpoint, now, endpoint, now, endpoint, now});
    }

    @Override
    boolean claimsInOneTransaction() {
      return false;
    }

    @Override
    boolean transactionalDdl() {
      return false;
    }

    @Override
    void lockSchema(Connection connection) {
      // No DDL transaction to hold a lock in: InboxSchema makes instances of one JVM take turns.
    }

    /**
     * H2 writes commits to its file in the background, {@code WRITE_DELAY} (500 ms by default)
     * later: a process killed meanwhile loses events it has already answered 200 for (measured: 158
     * of 15,624 acknowledged commits). {@code ;WRITE_DELAY=0} in the URL writes each commit.
     */
    @Override
    void checkSettings(Connection connection) throws SQLException {
      if (!connection.getMetaData().getDatabaseProductName().equals("H2")) {
        return;
      }
      try (Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT SETTING_VALUE FROM"
                      + " INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
        if (rows.next() && !"0".equals(rows.getString(1))) {
          LOG.log(
              Level.WARNING,
              "The event inbox''s H2 database has WRITE_DELAY={0} ms: commits"
                  + " reach its file up to that late, so a killed process can lose events already"
                  + " answered 200. Add ;WRITE_DELAY=0 to the JDBC URL.",
              rows.getString(1));
        }
      }
    }
  },

  POSTGRESQL {
    // A duplicate is no error (none in the server log for every redelivery).
    @Override
    String insert(String insert) {
      return insert + " ON CONFLICT (endpoint, event_id) DO NOTHING";
    }

    // The OR is planned as a BitmapOr over the due index, and FOR UPDATE is not allowed with
    // UNION. Rows other claimers have locked are skipped: concurrent claimers get disjoint sets.
    @Override
    SqlStatement dueCandidates(String endpoint, Instant now, int claims) {
      return new SqlStatement(
          String.format(SELECT_DUE, claims) + " FOR UPDATE SKIP LOCKED",
          new Object[] {endpoint, now, now});
    }

    @Override
    boolean claimsInOneTransaction() {
      return true;
    }

    @Override
    boolean transactionalDdl() {
      return true;
    }

    @Override
    void lockSchema(Connection connection) throws SQLException {
      try (PreparedStatement lock =
          connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, SCHEMA_LOCK);
        lock.executeQuery().close();
      }
    }

    @Override
    void checkSettings(Connection connection) {
      // Commits are durable as configured by the DBA (synchronous_commit): nothing to warn of.
    }
  };

  private static final System.Logger LOG = System.getLogger(JdbcEventInbox.class.getName());
  private static final String TABLE = InboxSchema.TABLE;
  // Any number: it only has to differ from the advisory locks the application itself takes.
  private static final long SCHEMA_LOCK = 0x5354_5249_5045_0002L;
  private static final String SELECT_DUE =
      "SELECT event_id FROM "
          + TABLE
          + " WHERE endpoint = ? AND "
          + JdbcInboxWrites.DUE
          + " ORDER BY next_attempt_at, event_id FETCH FIRST %d ROWS ONLY";
  private static final String SELECT_DUE_UNION =
      "SELECT event_id FROM ("
          + dueOf("received", "next_attempt_at")
          + " UNION ALL "
          + dueOf("failed", "next_attempt_at")
          + " UNION ALL "
          + dueOf("processing", "lease_until")
          + ") due"
          + " ORDER BY next_attempt_at, event_id FETCH FIRST %d ROWS ONLY";
  // H2 applies the row limit before skipping locked rows (a second claimer would then get
  // nothing): it reads candidates without locks, more than it claims, and the conditional UPDATE
  // of each decides.
  private static final int CANDIDATES_PER_CLAIM = 4;

  private static String dueOf(String status, String dueColumn) {
    return "SELECT event_id, next_attempt_at FROM "
        + TABLE
        + " WHERE endpoint = ? AND status = '"
        + status
        + "' AND "
        + dueColumn
        + " <= ?";
  }

  /** The dialect of the database {@code connection} is open on. */
  static JdbcDialect of(Connection connection) throws SQLException {
    return connection.getMetaData().getDatabaseProductName().contains("PostgreSQL")
        ? POSTGRESQL
        : H2;
  }

  /** {@code insert}, the INSERT of a new event, as this database runs it. */
  abstract String insert(String insert);

  /**
   * The SELECT of the event ids a worker may claim now, up to {@code claims} of them, oldest due
   * first.
   */
  abstract SqlStatement dueCandidates(String endpoint, Instant now, int claims);

  /**
   * Whether one transaction claims a whole batch of due events. When not, each claim commits alone:
   * a transaction holding several row locks while it waits for another's deadlocks with a claimer
   * that took the same candidates in another order.
   */
  abstract boolean claimsInOneTransaction();

  /** Whether DDL is transactional, so that creating or upgrading the tables is all or nothing. */
  abstract boolean transactionalDdl();

  /** Takes the lock two instances making the tables current take turns on, in the transaction. */
  abstract void lockSchema(Connection connection) throws SQLException;

  /** Logs a warning for a setting of the database that puts acknowledged events at risk. */
  abstract void checkSettings(Connection connection) throws SQLException;
}
