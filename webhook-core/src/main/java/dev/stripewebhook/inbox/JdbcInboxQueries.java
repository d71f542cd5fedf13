// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static dev.stripewebhook.inbox.Jdbc.instant;
import static dev.stripewebhook.inbox.Jdbc.prepare;
import static dev.stripewebhook.inbox.Jdbc.unavailable;

import dev.stripewebhook.inbox.EventInbox.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The queries of {@link JdbcEventInbox} that the console and the metrics ask: pages of events,
 * counts, the backlog, the attempts of an event, the events about one object. They change nothing,
 * and read the same SQL on H2 and PostgreSQL.
 */
final class JdbcInboxQueries {
  private static final String TABLE = InboxSchema.TABLE;
  private static final String ATTEMPTS = InboxSchema.ATTEMPTS;
  private static final String KEY = " endpoint = ? AND event_id = ?";
  private static final String SELECT_ATTEMPTS =
      "SELECT attempt, owner, started_at, finished_at,"
          + " outcome, error FROM "
          + ATTEMPTS
          + " WHERE"
          + KEY
          + " ORDER BY attempt";
  private static final String SUMMARY_COLUMNS =
      "endpoint, event_id, event_type, livemode,"
          + " account, data_object_id, event_created, received_at, status, attempts, last_error,"
          + " handled_at";
  // The position as (received_at, event_id) < (?, ?), spelt out; the leading received_at <= ?
  // is redundant but is what lets H2 start the index scan at the position (without it, H2 reads
  // the index from the newest row and filters: a deep page then costs as much as OFFSET).
  private static final String BEFORE_POSITION =
      "received_at <= ? AND (received_at < ?" + " OR (received_at = ? AND event_id < ?))";
  // An event id or a data object id, as an IN on the primary key: an OR of the two columns
  // would make H2 scan the table.
  private static final String SEARCH =
      "event_id IN (SELECT event_id FROM "
          + TABLE
          + " WHERE endpoint = ? AND data_object_id = ? UNION ALL SELECT CAST(? AS VARCHAR(255))"
          + " FROM "
          + TABLE
          + " WHERE"
          + KEY
          + ")";
  // Ordering by endpoint too (a constant) lets H2 see that the index led by it gives the order;
  // with one status, ordering by it too (also a constant) does the same for the status index:
  // otherwise H2 reads every row of that status through another index and sorts.
  private static final String ORDER_BY_ENDPOINT = " ORDER BY endpoint, ";
  private static final String ORDER_BY_ENDPOINT_STATUS = " ORDER BY endpoint, status, ";
  private static final String NEWEST_FIRST = "received_at DESC, event_id DESC";
  private static final String ABOUT_OBJECT =
      "SELECT "
          + SUMMARY_COLUMNS
          + " FROM "
          + TABLE
          + " WHERE endpoint = ? AND data_object_id = ? ORDER BY event_created, received_at, event_id"
          + " FETCH FIRST %d ROWS ONLY";
  // Read from the index on (endpoint, status, next_attempt_at): an index-only scan on PostgreSQL.
  private static final String COUNT_BY_STATUS =
      "SELECT status, COUNT(*) FROM " + TABLE + " WHERE endpoint = ? GROUP BY status";
  // One status at a time, as H2's due candidates are read: each a range of the status index.
  private static final String BACKLOG =
      "SELECT SUM(events), MIN(oldest) FROM ("
          + backlogOf("received")
          + " UNION ALL "
          + backlogOf("processing")
          + " UNION ALL "
          + backlogOf("failed")
          + ") backlog";

  private static String backlogOf(String status) {
    return "SELECT COUNT(*) AS events, MIN(received_at) AS oldest FROM "
        + TABLE
        + " WHERE endpoint = ? AND status = '"
        + status
        + "'";
  }

  private final DataSource dataSource;
  private final String endpoint;

  JdbcInboxQueries(DataSource dataSource, String endpoint) {
    this.dataSource = dataSource;
    this.endpoint = endpoint;
  }

  EventPage list(EventQuery query) throws InboxException {
    SqlStatement statement = listStatement(endpoint, query);
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

  Map<InboxStatus, Long> countByStatus() throws InboxException {
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

  InboxBacklog backlog() throws InboxException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = prepare(connection, BACKLOG, endpoint, endpoint, endpoint);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return new InboxBacklog(rows.getLong(1), instant(rows, 2));
    } catch (SQLException | RuntimeException e) {
      throw unavailable("count the backlog", e);
    }
  }

  List<EventSummary> aboutObject(String dataObjectId, int limit) throws InboxException {
    try (Connection connection = dataSource.getConnection()) {
      return summaries(
          connection, String.format(ABOUT_OBJECT, Math.max(1, limit)), endpoint, dataObjectId);
    } catch (SQLException | RuntimeException e) {
      throw unavailable("list the events about " + dataObjectId, e);
    }
  }

  List<ProcessingAttempt> attempts(String eventId) throws InboxException {
    List<ProcessingAttempt> attempts = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = prepare(connection, SELECT_ATTEMPTS, endpoint, eventId);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        String outcome = rows.getString("outcome");
        attempts.add(
            new ProcessingAttempt(
                rows.getInt("attempt"),
                rows.getString("owner"),
                instant(rows, "started_at"),
                instant(rows, "finished_at"),
                outcome == null ? null : Outcome.valueOf(outcome.toUpperCase(Locale.ROOT)),
                rows.getString("error")));
      }
      return attempts;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("read the attempts of event " + eventId, e);
    }
  }

  /**
   * The SELECT of one page of {@code endpoint}'s events matching {@code query}, plus one row, which
   * tells whether another page follows.
   */
  static SqlStatement listStatement(String endpoint, EventQuery query) {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(SUMMARY_COLUMNS)
            .append(" FROM ")
            .append(TABLE)
            .append(" WHERE endpoint = ?");
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
    sql.append(query.statuses().size() == 1 ? ORDER_BY_ENDPOINT_STATUS : ORDER_BY_ENDPOINT)
        .append(NEWEST_FIRST)
        .append(" FETCH FIRST ")
        .append(query.limit() + 1)
        .append(" ROWS ONLY");
    return new SqlStatement(sql.toString(), parameters.toArray());
  }

  private static List<EventSummary> summaries(
      Connection connection, String sql, Object... parameters) throws SQLException {
    List<EventSummary> summaries = new ArrayList<>();
    try (PreparedStatement statement = prepare(connection, sql, parameters);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        boolean livemode = rows.getBoolean("livemode");
        summaries.add(
            new EventSummary(
                rows.getString("endpoint"),
                rows.getString("event_id"),
                rows.getString("event_type"),
                rows.wasNull() ? null : livemode,
                rows.getString("account"),
                rows.getString("data_object_id"),
                instant(rows, "event_created"),
                instant(rows, "received_at"),
                InboxStatus.fromCode(rows.getString("status")),
                rows.getInt("attempts"),
                rows.getString("last_error"),
                instant(rows, "handled_at")));
      }
    }
    return summaries;
  }
}
