// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.LogCapture;
import dev.stripewebhook.VerifiedEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2EventInboxTest extends JdbcEventInboxContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final JdbcDataSource dataSource = new JdbcDataSource();

  H2EventInboxTest() {
    // H2's default mode: the schema and statements need no compatibility mode.
    dataSource.setURL("jdbc:h2:mem:inbox" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
  }

  @Override
  EventInbox newInbox(InboxOptions options) {
    return JdbcEventInbox.create(dataSource, options);
  }

  @Override
  DataSource dataSource() {
    return dataSource;
  }

  @Test
  void aDatabaseThatCannotBeReachedIsAnInboxException() throws Exception {
    JdbcDataSource unreachable = new JdbcDataSource();
    unreachable.setURL("jdbc:h2:mem:never;IFEXISTS=TRUE");
    EventInbox down = JdbcEventInbox.create(unreachable, options().build());
    VerifiedEvent event = TestEvents.event("invoice.paid");

    assertThatThrownBy(() -> down.receive(event, TestEvents.header(event), null))
        .isInstanceOf(InboxException.class)
        .hasCauseInstanceOf(SQLException.class);
  }

  @Test
  void aTableTheUserCannotCreateStopsTheInboxNamingTheTableAndTheError() throws Exception {
    JdbcDataSource fresh = new JdbcDataSource();
    fresh.setURL("jdbc:h2:mem:restricted" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    WatchedDataSource restricted =
        new WatchedDataSource(fresh)
            .refusing(sql -> sql.contains("TABLE IF NOT EXISTS stripe_webhook_inbox_attempt"));
    EventInbox inbox = JdbcEventInbox.create(restricted, options().build());
    VerifiedEvent event = TestEvents.event("invoice.paid");

    assertThatThrownBy(() -> inbox.receive(event, TestEvents.header(event), null))
        .isInstanceOf(InboxException.class)
        .hasMessageContaining("stripe_webhook_inbox_attempt")
        .hasMessageContaining("permission denied")
        .hasMessageContaining("42501");
  }

  @Test
  void tablesADbaCreatedServeAUserThatCannotCreateTables() throws Exception {
    WatchedDataSource restricted =
        new WatchedDataSource(dataSource)
            .refusing(sql -> sql.startsWith("CREATE")); // the contract's inbox made the tables
    EventInbox inbox = JdbcEventInbox.create(restricted, options().build());
    VerifiedEvent event = received(inbox);

    assertThat(inbox.process(event.id(), "a", counting())).isEqualTo(EventInbox.Outcome.DONE);
  }

  @Test
  void aRenewalTheDatabaseRefusesIsLoggedAndTriedAgainAtTheNextBeat() throws Exception {
    WatchedDataSource flaky = new WatchedDataSource(dataSource);
    JdbcEventInbox inbox = JdbcEventInbox.create(flaky, options().build());
    VerifiedEvent event = received(inbox);
    inbox.claim(event.id(), "holder").orElseThrow();
    flaky.refusing(sql -> sql.startsWith("UPDATE stripe_webhook_inbox SET lease_until"));
    clock.advance(LEASE.minusSeconds(10));

    try (LogCapture log = LogCapture.of(LeaseKeeper.class)) {
      inbox.leases().beat();
      assertThat(log.warnings())
          .singleElement()
          .asString()
          .startsWith("Cannot renew the leases of 1 claimed events (permission denied");
    }
    flaky.refusing(sql -> false);
    inbox.leases().beat();

    assertThat(inbox.find(event.id()).orElseThrow().leaseUntil())
        .isEqualTo(clock.instant().plus(LEASE));
    clock.advance(LEASE.minusSeconds(1));
    assertThat(inbox.process(event.id(), "other", counting())).isEqualTo(EventInbox.Outcome.BUSY);
    assertThat(inbox.finish(event.id(), "holder", null)).isEqualTo(EventInbox.Outcome.DONE);
  }

  @Test
  void warnsWhenAnH2FileDatabaseWritesCommitsLate(@TempDir Path directory) throws Exception {
    try (LogCapture log = LogCapture.of(JdbcEventInbox.class)) {
      JdbcDataSource late = new JdbcDataSource();
      late.setURL("jdbc:h2:" + directory.resolve("late"));
      JdbcEventInbox.create(late, options().build());
      JdbcDataSource immediate = new JdbcDataSource();
      immediate.setURL("jdbc:h2:" + directory.resolve("immediate") + ";WRITE_DELAY=0");
      JdbcEventInbox.create(immediate, options().build());
      assertThat(log.warnings())
          .singleElement()
          .asString()
          .contains("WRITE_DELAY=500")
          .contains(";WRITE_DELAY=0");
    }
  }

  @Test
  void theSameSchemaFileRunsInPostgreSqlMode() throws Exception {
    JdbcDataSource postgresMode = new JdbcDataSource();
    postgresMode.setURL(
        "jdbc:h2:mem:pgmode;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE" + ";DB_CLOSE_DELAY=-1");
    EventInbox inbox = JdbcEventInbox.create(postgresMode, options().build());
    VerifiedEvent event = received(inbox);
    assertThat(inbox.process(event.id(), "a", counting())).isEqualTo(EventInbox.Outcome.DONE);
  }

  @Test
  void aDeepPageSeeksTheReceivedIndexAtItsPosition() throws Exception {
    receivedOneSecondApart(3, "invoice.paid");
    String cursor = inbox.list(EventQuery.builder().limit(1).build()).next();
    EventQuery deep = EventQuery.builder().limit(50).after(cursor).build();
    EventQuery failedDeep = EventQuery.builder().statuses(InboxStatus.FAILED).after(cursor).build();

    // H2 shows the index it reads and the conditions it seeks on as /* PUBLIC.INDEX: ... */.
    assertThat(index(plan(deep)))
        .startsWith("STRIPE_WEBHOOK_INBOX_RECEIVED:")
        .contains("ENDPOINT = ?1", "RECEIVED_AT <=");
    assertThat(plan(deep)).contains("index sorted");
    assertThat(index(plan(EventQuery.builder().build())))
        .isEqualTo("STRIPE_WEBHOOK_INBOX_RECEIVED: ENDPOINT = ?1");
    assertThat(plan(EventQuery.builder().build())).contains("index sorted");
    assertThat(index(plan(failedDeep)))
        .startsWith("STRIPE_WEBHOOK_INBOX_STATUS_RECEIVED:")
        .contains("ENDPOINT = ?1", "STATUS = ?2", "RECEIVED_AT <=");
    assertThat(plan(failedDeep)).contains("index sorted");
    EventQuery dead = EventQuery.builder().statuses(InboxStatus.DEAD).build();
    assertThat(index(plan(dead)))
        .startsWith("STRIPE_WEBHOOK_INBOX_STATUS_RECEIVED:")
        .contains("ENDPOINT = ?1", "STATUS = ?2");
    assertThat(plan(dead)).contains("index sorted");
    assertThat(plan(EventQuery.builder().search("sub_x").build()))
        .contains("PRIMARY_KEY")
        .doesNotContain("tableScan");
  }

  @Test
  void dueEventsAreSoughtAsThreeRangesOfTheDueIndex() throws Exception {
    String plan =
        plan(JdbcDialect.H2.dueCandidates(inbox.endpoint(), clock.instant(), 10).explain());

    for (String range :
        List.of(
            "ENDPOINT = ?1 AND STATUS = 'received' AND NEXT_ATTEMPT_AT <= ?2",
            "ENDPOINT = ?3 AND STATUS = 'failed' AND NEXT_ATTEMPT_AT <= ?4",
            "ENDPOINT = ?5 AND STATUS = 'processing' */")) {
      assertThat(plan).contains("STRIPE_WEBHOOK_INBOX_DUE: " + range);
    }
    assertThat(plan).doesNotContain("tableScan");
  }

  /** The index a plan reads and its conditions, from the first {@code /* PUBLIC.… *\/}. */
  private static String index(String plan) {
    int start = plan.indexOf("/* PUBLIC.") + "/* PUBLIC.".length();
    return plan.substring(start, plan.indexOf(" */", start));
  }

  private String plan(EventQuery query) throws SQLException {
    return plan(JdbcInboxQueries.listStatement(inbox.endpoint(), query).explain());
  }

  private String plan(SqlStatement explain) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = explain.prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getString(1).replaceAll("\\s+", " ");
    }
  }
}
