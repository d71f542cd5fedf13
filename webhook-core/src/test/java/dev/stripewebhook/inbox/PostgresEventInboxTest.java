// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.VerifiedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresEventInboxTest extends JdbcEventInboxContract {

  @Override
  EventInbox newInbox(InboxOptions options) throws Exception {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox");
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox_attempt");
    }
    return JdbcEventInbox.create(dataSource(), options);
  }

  @Override
  DataSource dataSource() {
    return EmbeddedPostgresExtension.Server.currentDataSource();
  }

  @Test
  void aHandlerThatSwallowsAnSqlErrorFailsTheAttemptInsteadOfTheInbox() throws Exception {
    // PostgreSQL aborts the transaction on a failed statement even when the handler catches the
    // exception: the done mark cannot commit. That is the handler's failure (500, retried), not
    // storage being down (503).
    VerifiedEvent event = TestEvents.event("invoice.paid");
    inbox.receive(event, TestEvents.header(event), null);

    EventInbox.Outcome outcome =
        inbox.process(
            event.id(),
            "owner",
            (record, context) -> {
              try (Statement statement = context.connection().orElseThrow().createStatement()) {
                statement.execute("SELECT * FROM no_such_table");
              } catch (java.sql.SQLException swallowed) {
                // the handler goes on as if nothing happened
              }
            });

    assertThat(outcome).isEqualTo(EventInbox.Outcome.FAILED);
    assertThat(inbox.find(event.id()))
        .hasValueSatisfying(
            record -> {
              assertThat(record.status()).isEqualTo(InboxStatus.FAILED);
              assertThat(record.lastError()).contains("could not be committed");
            });
  }

  @Test
  void upgrade2SqlRunByADbaMakesTablesOfVersion1Current() throws Exception {
    createTablesOfVersion1();
    VerifiedEvent failed = TestEvents.event("charge.refunded");
    insertVersion1(failed, InboxStatus.FAILED, "ledger down");
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false); // as upgrade-2.sql says: one transaction
      for (String sql : InboxSchema.statements(InboxSchema.UPGRADE_RESOURCE)) {
        statement.execute(sql);
      }
      connection.commit();
    }

    WatchedDataSource watched = new WatchedDataSource(dataSource());
    EventInbox upgraded = JdbcEventInbox.create(watched, options().build());

    assertThat(upgraded.find(failed.id()).orElseThrow().status()).isEqualTo(InboxStatus.FAILED);
    assertThat(watched.ddl()).isEmpty();
    assertIndexesLedByEndpoint();
  }

  @Test
  void aDeepPageSeeksTheReceivedIndexAtItsPosition() throws Exception {
    receivedOneSecondApart(3, "invoice.paid");
    String cursor = inbox.list(EventQuery.builder().limit(1).build()).next();
    SqlStatement explain =
        JdbcInboxQueries.listStatement(
                inbox.endpoint(), EventQuery.builder().limit(50).after(cursor).build())
            .explain();
    StringBuilder plan = new StringBuilder();
    try (Connection connection = dataSource().getConnection()) {
      try (Statement statement = connection.createStatement()) {
        // A 3-row table is read whole; the question is whether the index can start at the cursor
        // and give the order, as it does on a large table.
        statement.execute("SET enable_seqscan = off");
        statement.execute("SET enable_bitmapscan = off");
      }
      try (PreparedStatement statement = explain.prepare(connection);
          ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          plan.append(rows.getString(1)).append('\n');
        }
      } finally {
        try (Statement statement = connection.createStatement()) {
          statement.execute("RESET enable_seqscan");
          statement.execute("RESET enable_bitmapscan");
        }
      }
    }
    assertThat(plan)
        .contains("Index Scan using stripe_webhook_inbox_received")
        .contains("Index Cond: (((endpoint)::text = ")
        .contains(" AND (received_at <= ")
        .doesNotContain("Sort");
  }
}
