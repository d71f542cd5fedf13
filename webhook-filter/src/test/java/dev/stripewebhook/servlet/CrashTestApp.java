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
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The application {@link CrashRecoveryTest} kills: the filter on embedded Jetty with a PostgreSQL
 * inbox and one handler that records each handling in {@code crash_handled}, through the inbox's
 * transaction. Arguments: JDBC URL, secret, {@code sync} or {@code async}. Prints {@code READY
 * <port>} once it listens.
 */
public final class CrashTestApp {
  private CrashTestApp() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setURL(args[0]);
    WebhookConfig config = WebhookConfig.builder().secrets(args[1])
        .processing(WebhookConfig.Processing.valueOf(args[2].toUpperCase(Locale.ROOT)))
        .build();
    JdbcEventInbox inbox = JdbcEventInbox.create(new TestPool(postgres), InboxOptions.builder()
        .retryDelay(Duration.ofMillis(100)).build()); // the default lease, renewed while held
    StripeEventHandler recorder = new StripeEventHandler() {
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
        Thread.sleep(100); // slow enough that the kill finds events claimed, being handled
        try (PreparedStatement insert = context.connection().orElseThrow().prepareStatement(
            "INSERT INTO crash_handled (event_id, pid) VALUES (?, ?)")) {
          insert.setString(1, event.id());
          insert.setLong(2, ProcessHandle.current().pid());
          insert.executeUpdate();
        }
      }
    };
    JettyServer server = new JettyServer()
        .filter("/hook", new StripeWebhookFilter(config, EventHandlers.of(recorder), inbox))
        .start();
    System.out.println("READY " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
