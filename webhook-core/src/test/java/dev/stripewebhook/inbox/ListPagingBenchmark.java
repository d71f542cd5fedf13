// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * Measures the list's keyset paging on H2 with 1,000,000 stored events: the first page against a
 * page after a cursor near the end, with OFFSET as the comparison, and prints the figures and
 * plans. Not part of the suite (a minute of inserting): run it with {@code mvn -o -q -pl
 * webhook-filter -am test -Dtest=ListPagingBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dinbox.benchmark=true}.
 */
class ListPagingBenchmark {
  private static final int ROWS = Integer.getInteger("inbox.benchmark.rows", 1_000_000);
  private static final int RUNS = 41;

  @Test
  void firstAndDeepPagesCostTheSame() throws Exception {
    assumeThat(Boolean.getBoolean("inbox.benchmark")).as("-Dinbox.benchmark=true").isTrue();
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:paging;DB_CLOSE_DELAY=-1");
    JdbcEventInbox inbox = JdbcEventInbox.create(dataSource, InboxOptions.defaults());
    long fillStart = System.nanoTime();
    fill(dataSource);
    System.out.printf("filled %,d rows in %.1f s%n", ROWS, (System.nanoTime() - fillStart) / 1e9);

    // A cursor near the end: walk there once by position (the seek itself is what is timed).
    EventPage first = inbox.list(EventQuery.builder().limit(50).build());
    String deepCursor = cursorAt(dataSource, ROWS - 1_000);
    String failedDeep = cursorAt(dataSource, ROWS - 2_000);

    Map<String, Supplier<Integer>> cases = new LinkedHashMap<>();
    cases.put("first page (50)", () -> page(inbox, EventQuery.builder().limit(50).build()));
    cases.put(
        "page 2 (after the first page's cursor)",
        () -> page(inbox, EventQuery.builder().limit(50).after(first.next()).build()));
    cases.put(
        "deep page (after row " + (ROWS - 1_000) + ")",
        () -> page(inbox, EventQuery.builder().limit(50).after(deepCursor).build()));
    cases.put(
        "failed, first page",
        () -> page(inbox, EventQuery.builder().statuses(InboxStatus.FAILED).limit(50).build()));
    cases.put(
        "failed, deep page",
        () ->
            page(
                inbox,
                EventQuery.builder()
                    .statuses(InboxStatus.FAILED)
                    .limit(50)
                    .after(failedDeep)
                    .build()));
    cases.put(
        "search by data object id",
        () -> page(inbox, EventQuery.builder().search("obj_" + (ROWS / 2)).build()));
    cases.put(
        "OFFSET " + (ROWS - 1_000) + " (not used; for comparison)",
        () -> offset(dataSource, ROWS - 1_000));
    cases.put("countByStatus", () -> unchecked(() -> inbox.countByStatus().size()));
    cases.put("backlog", () -> unchecked(() -> (int) inbox.backlog().events()));
    report(cases);

    try (Connection connection = dataSource.getConnection()) {
      for (EventQuery query :
          new EventQuery[] {
            EventQuery.builder().limit(50).after(deepCursor).build(),
            EventQuery.builder().statuses(InboxStatus.FAILED).limit(50).build(),
            EventQuery.builder().statuses(InboxStatus.FAILED).limit(50).after(failedDeep).build()
          }) {
        System.out.println("plan: " + plan(connection, query));
      }
    }
  }

  private static void fill(JdbcDataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      // One event a second; every 100th failed, every 1000th received, the rest done.
      statement.execute(
          "INSERT INTO stripe_webhook_inbox (endpoint, event_id, event_type,"
              + " livemode, data_object_id, event_created, received_at, body, signature_header,"
              + " status, attempts, next_attempt_at, handled_at) SELECT 'default',"
              + " 'evt_' || LPAD(X, 12, '0'),"
              + " CASEWHEN(MOD(X, 3) = 0, 'invoice.paid', 'payment_intent.succeeded'), FALSE,"
              + " 'obj_' || X, TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00Z' + X * INTERVAL '1' SECOND,"
              + " TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00Z' + X * INTERVAL '1' SECOND,"
              + " X'7b7d', 't=1,v1=00', CASE WHEN MOD(X, 1000) = 0 THEN 'received'"
              + " WHEN MOD(X, 100) = 0 THEN 'failed' ELSE 'done' END, 1,"
              + " TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00Z', NULL"
              + " FROM SYSTEM_RANGE(1, "
              + ROWS
              + ")");
      statement.execute("ANALYZE");
    }
  }

  /** The cursor of the event at this position, newest first. */
  private static String cursorAt(JdbcDataSource dataSource, int position) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT received_at, event_id FROM"
                    + " stripe_webhook_inbox ORDER BY received_at DESC, event_id DESC OFFSET "
                    + position
                    + " ROWS FETCH FIRST 1 ROWS ONLY")) {
      rows.next();
      Instant at = rows.getObject(1, java.time.OffsetDateTime.class).toInstant();
      return new EventQuery.Position(at, rows.getString(2)).cursor();
    }
  }

  private static int page(EventInbox inbox, EventQuery query) {
    return unchecked(() -> inbox.list(query).events().size());
  }

  private static int offset(JdbcDataSource dataSource, int offset) {
    return unchecked(
        () -> {
          try (Connection connection = dataSource.getConnection();
              Statement statement = connection.createStatement();
              ResultSet rows =
                  statement.executeQuery(
                      "SELECT event_id, event_type, status FROM"
                          + " stripe_webhook_inbox ORDER BY received_at DESC, event_id DESC OFFSET "
                          + offset
                          + " ROWS FETCH FIRST 50 ROWS ONLY")) {
            int count = 0;
            while (rows.next()) {
              count++;
            }
            return count;
          }
        });
  }

  private static String plan(Connection connection, EventQuery query) throws SQLException {
    SqlStatement explain = JdbcInboxQueries.listStatement("default", query).explain();
    try (PreparedStatement statement = explain.prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getString(1).replaceAll("\\s+", " ");
    }
  }

  /** Runs the cases in interleaved rounds, so that the machine's noise falls on all alike. */
  private static void report(Map<String, Supplier<Integer>> cases) {
    Map<String, long[]> micros = new LinkedHashMap<>();
    Map<String, Integer> rows = new LinkedHashMap<>();
    cases.keySet().forEach(name -> micros.put(name, new long[RUNS]));
    List<Map.Entry<String, Supplier<Integer>>> order = new ArrayList<>(cases.entrySet());
    for (int round = -5; round < RUNS; round++) { // 5 rounds of warm-up
      Collections.rotate(order, 1); // no case always runs first
      for (Map.Entry<String, Supplier<Integer>> entry : order) {
        long start = System.nanoTime();
        rows.put(entry.getKey(), entry.getValue().get());
        if (round >= 0) {
          micros.get(entry.getKey())[round] = (System.nanoTime() - start) / 1_000;
        }
      }
    }
    long firstPage = 0;
    for (Map.Entry<String, long[]> entry : micros.entrySet()) {
      long[] times = entry.getValue();
      Arrays.sort(times);
      if (firstPage == 0) {
        firstPage = times[RUNS / 2];
      }
      System.out.printf(
          "%-48s median %,9d µs  %5.2f× the first page  (min %,d)  rows %d%n",
          entry.getKey(),
          times[RUNS / 2],
          (double) times[RUNS / 2] / firstPage,
          times[0],
          rows.get(entry.getKey()));
    }
  }

  interface SqlCall {
    int call() throws Exception;
  }

  private static int unchecked(SqlCall call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
