// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.inbox.TestPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The application {@link CrashRecoveryTest} kills: the filter on embedded Jetty with a PostgreSQL
 * inbox and one handler that records each handling in {@code crash_handled}, through the inbox's
 * transaction. Arguments: JDBC URL, secret, {@code sync} or {@code async}, and optionally the
 * handler's delay in milliseconds, one number or a range {@code min-max} drawn from at each run
 * (100 when absent). Given a delay, it also records each run's start and end in {@code crash_runs},
 * committed on their own, so that a run whose transaction rolls back, or whose process is killed,
 * is seen too ({@link ManyInstancesTest}). Prints {@code READY <port>} once it listens.
 */
public final class CrashTestApp {
  private CrashTestApp() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setURL(args[0]);
    WebhookConfig config =
        WebhookConfig.builder()
            .secrets(args[1])
            .processing(WebhookConfig.Processing.valueOf(args[2].toUpperCase(Locale.ROOT)))
            .build();
    long[] delay = args.length > 3 ? delay(args[3]) : new long[] {100, 100};
    boolean recordRuns = args.length > 3;
    TestPool pool = new TestPool(postgres);
    JdbcEventInbox inbox =
        JdbcEventInbox.create(
            pool,
            InboxOptions.builder()
                .retryDelay(Duration.ofMillis(100))
                .build()); // the default lease, renewed while held
    StripeEventHandler recorder =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("*");
          }

          @Override
          public void handle(VerifiedEvent event) {
            throw new AssertionError("handled with a context");
          }

          @Override
          public void handle(VerifiedEvent event, HandlingContext context) throws Exception {
            long run = recordRuns ? started(event.id()) : 0;
            try {
              // Slow enough that the kill finds events claimed, being handled.
              Thread.sleep(ThreadLocalRandom.current().nextLong(delay[0], delay[1] + 1));
              try (PreparedStatement insert =
                  context
                      .connection()
                      .orElseThrow()
                      .prepareStatement(
                          "INSERT INTO crash_handled (event_id, pid) VALUES (?, ?)")) {
                insert.setString(1, event.id());
                insert.setLong(2, ProcessHandle.current().pid());
                insert.executeUpdate();
              }
            } finally {
              if (recordRuns) {
                finished(run);
              }
            }
          }

          // Outside the inbox's transaction (autocommit): the run is seen even if that rolls back.
          private long started(String eventId) throws Exception {
            try (Connection connection = pool.getConnection();
                PreparedStatement insert =
                    connection.prepareStatement(
                        "INSERT INTO crash_runs (event_id, pid, started_at)"
                            + " VALUES (?, ?, clock_timestamp()) RETURNING run_id")) {
              insert.setString(1, eventId);
              insert.setLong(2, ProcessHandle.current().pid());
              try (ResultSet key = insert.executeQuery()) {
                key.next();
                return key.getLong(1);
              }
            }
          }

          private void finished(long run) throws Exception {
            try (Connection connection = pool.getConnection();
                PreparedStatement update =
                    connection.prepareStatement(
                        "UPDATE crash_runs SET finished_at = clock_timestamp() WHERE run_id = ?")) {
              update.setLong(1, run);
              update.executeUpdate();
            }
          }
        };
    JettyServer server =
        new JettyServer()
            .filter("/hook", new StripeWebhookFilter(config, EventHandlers.of(recorder), inbox))
            .start();
    System.out.println("READY " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }

  private static long[] delay(String millis) {
    int dash = millis.indexOf('-');
    return dash < 0
        ? new long[] {Long.parseLong(millis), Long.parseLong(millis)}
        : new long[] {
          Long.parseLong(millis.substring(0, dash)), Long.parseLong(millis.substring(dash + 1))
        };
  }
}
