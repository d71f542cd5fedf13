// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** What every part of {@link JdbcEventInbox} does with JDBC: bind, run, read instants, fail. */
final class Jdbc {
  private Jdbc() {}

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
  static int update(Connection connection, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, parameters)) {
      return statement.executeUpdate();
    }
  }

  /**
   * A statement with {@code parameters} bound in order: an {@link Instant} as a timestamp with time
   * zone, in UTC; {@code null} as SQL NULL.
   */
  static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < parameters.length; i++) {
        Object value = parameters[i];
        if (value instanceof Instant instant) {
          statement.setObject(
              i + 1,
              OffsetDateTime.ofInstant(instant, ZoneOffset.UTC),
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

  static Instant instant(ResultSet rows, String column) throws SQLException {
    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static Instant instant(ResultSet rows, int column) throws SQLException {
    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // The connection is broken; closing it discards the transaction.
    }
  }

  /**
   * The failure of the storage as an {@link InboxException}: an {@link SQLException}, or any
   * RuntimeException of the driver or of binding a value (such as a {@code DateTimeException} for
   * an instant outside SQL's range), which callers must not see raw.
   */
  static InboxException unavailable(String action, Exception e) {
    String detail =
        e instanceof SQLException sql
            ? "SQLState " + sql.getSQLState() + ", " + sql.getMessage()
            : e.toString();
    return new InboxException("Event inbox cannot " + action + ": " + detail, e);
  }
}
