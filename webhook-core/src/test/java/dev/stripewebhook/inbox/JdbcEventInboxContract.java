// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link EventInboxContract}, and those only a database keeps: two instances over the
 * same tables, tables of older versions, the handler's writes in the inbox's transaction. Run on H2
 * and on PostgreSQL by a subclass.
 */
abstract class JdbcEventInboxContract extends EventInboxContract {

  /** The database of the inbox. */
  abstract DataSource dataSource();

  @Override
  EventInbox sharingStorage(InboxOptions options) {
    return JdbcEventInbox.create(dataSource(), options);
  }

  @Override
  void assertAttemptRows(String eventId, int expected) throws SQLException {
    try (Connection connection = dataSource().getConnection();
        PreparedStatement count =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM stripe_webhook_inbox_attempt WHERE event_id = ?")) {
      count.setString(1, eventId);
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        assertThat(rows.getInt(1)).isEqualTo(expected);
      }
    }
  }

  @Test
  void aCreatedInstantOutsideTheDatabasesRangeIsAnInboxException() throws Exception {
    VerifiedEvent event = TestEvents.about("sub_far_future", Instant.MAX.getEpochSecond());

    assertThatThrownBy(() -> inbox.receive(event, TestEvents.header(event), null))
        .isInstanceOf(InboxException.class)
        .hasMessageContaining(event.id());
  }

  @Test
  void anotherInstanceOverTheSameTablesMayFinishAClaim() throws Exception {
    inbox = newInbox(options().attempts(1).build());
    EventInbox other = sharingStorage(options().attempts(1).build());
    VerifiedEvent failed = received(inbox);
    VerifiedEvent done = received(inbox);
    inbox.claim(failed.id(), "a").orElseThrow();
    inbox.claim(done.id(), "a").orElseThrow();

    assertThat(other.finish(failed.id(), "a", new IllegalStateException("x")))
        .isEqualTo(Outcome.DEAD);
    assertThat(other.finish(done.id(), "b", null)).isEqualTo(Outcome.LEASE_LOST);
    assertThat(other.finish(done.id(), "a", null)).isEqualTo(Outcome.DONE);
    assertThat(inbox.finish(done.id(), "a", null)).isEqualTo(Outcome.LEASE_LOST);
  }

  // --- schema versions (JDBC) ----------------------------------------------------------------

  static final String SCHEMA_V1 = "/dev/stripewebhook/inbox/schema-v1.sql";
  static final String INSERT_V1 =
      "INSERT INTO stripe_webhook_inbox (event_id, event_type,"
          + " livemode, account, api_version, data_object_id, event_created, received_at, body,"
          + " signature_header, client_address, status, attempts, last_error, next_attempt_at,"
          + " lease_owner, lease_until, handled_at)"
          + " VALUES (?, ?, FALSE, NULL, NULL, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, ?, NULL, NULL, ?)";
  static final String INSERT_ATTEMPT_V1 =
      "INSERT INTO stripe_webhook_inbox_attempt"
          + " (event_id, attempt, owner, started_at, finished_at, outcome, error)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)";

  /** Drops the inbox's tables and makes them as version 1 did, {@code resolved} refused. */
  void createTablesOfVersion1() throws SQLException {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      for (String table :
          List.of(
              "stripe_webhook_inbox", "stripe_webhook_inbox_attempt", "stripe_webhook_schema")) {
        statement.execute("DROP TABLE IF EXISTS " + table);
      }
      for (String sql : InboxSchema.statements(SCHEMA_V1)) {
        statement.execute(sql);
      }
      // As a table made before the resolved status existed.
      statement.execute(
          "ALTER TABLE stripe_webhook_inbox DROP CONSTRAINT" + " stripe_webhook_inbox_status");
      statement.execute(
          "ALTER TABLE stripe_webhook_inbox ADD CONSTRAINT"
              + " stripe_webhook_inbox_status CHECK (status IN ('received', 'processing', 'done',"
              + " 'failed', 'dead', 'superseded'))");
    }
  }

  /** Stores {@code event} as version 1 did, with its attempts' owners, outcomes and errors. */
  void insertVersion1(VerifiedEvent event, InboxStatus status, String... attempts)
      throws SQLException {
    Instant now = clock.instant();
    String lastError = status == InboxStatus.FAILED ? attempts[attempts.length - 1] : null;
    try (Connection connection = dataSource().getConnection();
        PreparedStatement insert = connection.prepareStatement(INSERT_V1);
        PreparedStatement attempt = connection.prepareStatement(INSERT_ATTEMPT_V1)) {
      Object[] values = {
        event.id(),
        event.type(),
        event.dataObjectId().orElse(null),
        at(now),
        event.body(),
        TestEvents.header(event),
        status.code(),
        attempts.length,
        lastError,
        at(now.plusSeconds(60)),
        status == InboxStatus.DONE ? at(now) : null
      };
      for (int i = 0; i < values.length; i++) {
        insert.setObject(i + 1, values[i]);
      }
      insert.executeUpdate();
      for (int i = 0; i < attempts.length; i++) {
        boolean last = i == attempts.length - 1;
        Object[] row = {
          event.id(),
          i + 1,
          "old-" + (i + 1),
          at(now),
          at(now),
          last && status == InboxStatus.DONE ? "done" : "failed",
          last && status == InboxStatus.DONE ? null : attempts[i]
        };
        for (int j = 0; j < row.length; j++) {
          attempt.setObject(j + 1, row[j]);
        }
        attempt.executeUpdate();
      }
    }
  }

  static java.time.OffsetDateTime at(Instant instant) {
    return instant.atOffset(java.time.ZoneOffset.UTC);
  }

  @Test
  void upgradesTablesOfVersion1InPlaceKeepingEveryRowUnderTheDefaultEndpoint() throws Exception {
    createTablesOfVersion1();
    VerifiedEvent done = TestEvents.event("invoice.paid");
    VerifiedEvent failed = TestEvents.event("charge.refunded");
    insertVersion1(done, InboxStatus.DONE, "ok");
    insertVersion1(failed, InboxStatus.FAILED, "ledger down", "ledger still down");

    WatchedDataSource first = new WatchedDataSource(dataSource());
    EventInbox upgraded = JdbcEventInbox.create(first, options().build());

    assertThat(first.ddl()).isNotEmpty();
    assertThat(upgraded.find(done.id()).orElseThrow())
        .extracting(InboxRecord::endpoint, InboxRecord::status, InboxRecord::attempts)
        .containsExactly(InboxOptions.DEFAULT_ENDPOINT, InboxStatus.DONE, 1);
    assertThat(upgraded.find(done.id()).orElseThrow().body()).isEqualTo(done.body());
    assertThat(upgraded.find(failed.id()).orElseThrow())
        .extracting(InboxRecord::status, InboxRecord::attempts, InboxRecord::lastError)
        .containsExactly(InboxStatus.FAILED, 2, "ledger still down");
    assertThat(upgraded.attempts(failed.id()))
        .extracting(ProcessingAttempt::owner, ProcessingAttempt::error)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("old-1", "ledger down"),
            org.assertj.core.groups.Tuple.tuple("old-2", "ledger still down"));
    assertThat(upgraded.receive(done, TestEvents.header(done), null)).isEqualTo(Receipt.DONE);
    VerifiedEvent fresh = received(upgraded);
    assertThat(upgraded.process(fresh.id(), "new", counting())).isEqualTo(Outcome.DONE);
    assertThat(upgraded.resolve(failed.id())).as("the status check allows resolved").isTrue();
    assertThat(upgraded.countByStatus())
        .containsEntry(InboxStatus.DONE, 2L)
        .containsEntry(InboxStatus.RESOLVED, 1L);

    EventInbox connect = JdbcEventInbox.create(dataSource(), options().endpoint("connect").build());
    assertThat(connect.find(done.id())).isEmpty();
    assertThat(connect.list(EventQuery.builder().build()).events()).isEmpty();
    assertThat(connect.countByStatus().values()).containsOnly(0L);
    assertThat(connect.receive(done, TestEvents.header(done), null)).isEqualTo(Receipt.NEW);
    assertThat(connect.process(done.id(), "connect-1", counting())).isEqualTo(Outcome.DONE);
    assertThat(connect.attempts(done.id()))
        .extracting(ProcessingAttempt::number)
        .containsExactly(1);

    assertIndexesLedByEndpoint();
    WatchedDataSource second = new WatchedDataSource(dataSource());
    JdbcEventInbox.create(second, options().build()).find(done.id());
    assertThat(second.ddl()).as("starting again changes nothing").isEmpty();
    assertThat(schemaVersions()).containsExactly(2);
  }

  @Test
  void aDroppedInboxTableBesideAnAttemptTableOfVersion1IsCreatedAndTheAttemptTableUpgraded()
      throws Exception {
    createTablesOfVersion1();
    VerifiedEvent old = TestEvents.event("invoice.paid");
    insertVersion1(old, InboxStatus.FAILED, "ledger down");
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE stripe_webhook_inbox"); // as a test or benchmark resets it
    }

    EventInbox restarted = JdbcEventInbox.create(dataSource(), options().build());
    VerifiedEvent event = received(restarted);

    assertThat(restarted.process(event.id(), "a", counting())).isEqualTo(Outcome.DONE);
    assertThat(restarted.attempts(event.id())).hasSize(1);
    assertIndexesLedByEndpoint();
  }

  @Test
  void twoInstancesStartingAtOnceOnTablesOfVersion1BothWork() throws Exception {
    createTablesOfVersion1();
    VerifiedEvent failed = TestEvents.event("charge.refunded");
    insertVersion1(failed, InboxStatus.FAILED, "ledger down");
    CyclicBarrier start = new CyclicBarrier(2);

    inParallel(
        2,
        t -> {
          start.await(30, TimeUnit.SECONDS);
          EventInbox instance = JdbcEventInbox.create(dataSource(), options().build());
          assertThat(instance.find(failed.id()).orElseThrow().status())
              .isEqualTo(InboxStatus.FAILED);
        });

    assertThat(inbox.find(failed.id()).orElseThrow().attempts()).isEqualTo(1);
    assertThat(schemaVersions()).containsExactly(2);
    assertIndexesLedByEndpoint();
  }

  @Test
  void startingOverCurrentTablesChangesNothingAndEveryIndexIsLedByTheEndpoint() throws Exception {
    WatchedDataSource watched = new WatchedDataSource(dataSource());
    EventInbox again = JdbcEventInbox.create(watched, options().build());
    received(again);

    assertThat(watched.ddl()).isEmpty();
    assertThat(schemaVersions()).containsExactly(2);
    assertIndexesLedByEndpoint();
  }

  List<Integer> schemaVersions() throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT version FROM stripe_webhook_schema")) {
      while (rows.next()) {
        versions.add(rows.getInt(1));
      }
    }
    return versions;
  }

  /** The primary keys and every index of both tables have endpoint as their first column. */
  void assertIndexesLedByEndpoint() throws SQLException {
    try (Connection connection = dataSource().getConnection()) {
      java.sql.DatabaseMetaData meta = connection.getMetaData();
      Map<String, String> leaders = new java.util.TreeMap<>();
      for (String table : List.of("stripe_webhook_inbox", "stripe_webhook_inbox_attempt")) {
        String name =
            meta.storesUpperCaseIdentifiers() ? table.toUpperCase(java.util.Locale.ROOT) : table;
        try (ResultSet rows = meta.getIndexInfo(null, connection.getSchema(), name, false, false)) {
          while (rows.next()) {
            if (rows.getShort("ORDINAL_POSITION") == 1) {
              leaders.put(
                  rows.getString("INDEX_NAME").toLowerCase(java.util.Locale.ROOT),
                  rows.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
            }
          }
        }
      }
      assertThat(leaders.keySet())
          .contains(
              "stripe_webhook_inbox_due",
              "stripe_webhook_inbox_object",
              "stripe_webhook_inbox_received",
              "stripe_webhook_inbox_status_received")
          .hasSizeGreaterThanOrEqualTo(6);
      assertThat(leaders.values()).as(leaders.toString()).containsOnly("endpoint");
    }
  }

  // --- one transaction for the handler's writes and the done mark ---------------------------

  @Test
  void handlerWritesThroughTheContextCommitWithTheDoneMark() throws Exception {
    createLedger();
    VerifiedEvent event = received(inbox);
    assertThat(inbox.process(event.id(), "a", this::writeLedger)).isEqualTo(Outcome.DONE);
    assertThat(ledger()).containsExactly(event.id());
  }

  @Test
  void aHandlerThatNeverAsksForTheConnectionHoldsNoneWhileItRuns() throws Exception {
    WatchedDataSource watched = new WatchedDataSource(dataSource());
    EventInbox own = JdbcEventInbox.create(watched, options().build());
    VerifiedEvent event = received(own);
    int[] openWhileRunning = {-1};

    Outcome outcome =
        own.process(event.id(), "a", (record, context) -> openWhileRunning[0] = watched.open());

    assertThat(outcome).isEqualTo(Outcome.DONE);
    assertThat(openWhileRunning[0]).isZero();
    assertThat(own.find(event.id()).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
    assertThat(watched.open()).isZero();
  }

  @Test
  void aContextKeptPastItsHandlingOpensNoConnection() throws Exception {
    WatchedDataSource watched = new WatchedDataSource(dataSource());
    EventInbox own = JdbcEventInbox.create(watched, options().build());
    VerifiedEvent event = received(own);
    HandlingContext[] kept = new HandlingContext[1];

    assertThat(own.process(event.id(), "a", (record, context) -> kept[0] = context))
        .isEqualTo(Outcome.DONE);

    assertThatThrownBy(() -> kept[0].connection())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has ended");
    assertThat(watched.open()).isZero();
  }

  @Test
  void concurrentDeliveriesWhoseHandlersWriteNothingAreEachMarkedDoneOnce() throws Exception {
    List<VerifiedEvent> events = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      events.add(received(inbox));
    }
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<Outcome>> outcomes = new ArrayList<>();
      for (VerifiedEvent event : events) {
        outcomes.add(pool.submit(() -> inbox.process(event.id(), "a-" + event.id(), (r, c) -> {})));
      }
      for (Future<Outcome> outcome : outcomes) {
        assertThat(outcome.get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.DONE);
      }
    } finally {
      pool.shutdownNow();
    }
    for (VerifiedEvent event : events) {
      assertThat(inbox.find(event.id()).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
      assertAttemptRows(event.id(), 1);
    }
  }

  @Test
  void handlerWritesRollBackWhenTheHandlerFails() throws Exception {
    createLedger();
    VerifiedEvent event = received(inbox);
    Outcome outcome =
        inbox.process(
            event.id(),
            "a",
            (record, context) -> {
              writeLedger(record, context);
              throw new IllegalStateException("after the write");
            });
    assertThat(outcome).isEqualTo(Outcome.FAILED);
    assertThat(ledger()).isEmpty();
  }

  @Test
  void handlerWritesRollBackWhenTheDoneMarkIsRefused() throws Exception {
    createLedger();
    VerifiedEvent event = received(inbox);
    Outcome late =
        inbox.process(
            event.id(),
            "slow",
            (record, context) -> {
              writeLedger(record, context);
              holderStopsRenewing(inbox);
              clock.advance(LEASE.plusSeconds(1));
              inbox.processDue("healthy", 10, counting()); // takes over; writes nothing
            });
    assertThat(late).isEqualTo(Outcome.LEASE_LOST);
    assertThat(ledger()).isEmpty();
    assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
  }

  @Test
  void aHandlerCannotCommitTheInboxTransactionItself() throws Exception {
    createLedger();
    VerifiedEvent event = received(inbox);
    Outcome outcome =
        inbox.process(
            event.id(),
            "a",
            (record, context) -> {
              writeLedger(record, context);
              context.connection().orElseThrow().commit();
            });
    assertThat(outcome).isEqualTo(Outcome.FAILED);
    assertThat(record(event).lastError()).contains("commit() is not for handlers");
    assertThat(ledger()).isEmpty();
  }

  @Test
  void aBatchWhoseWorkIsSlowCommitsTheMarksMadeSoFarBeforeTheNextEventsWork() throws Exception {
    VerifiedEvent slow = receivedClaimedBy("worker");
    VerifiedEvent next = receivedClaimedBy("worker");
    List<String> seenByTheNext = new ArrayList<>();

    List<Outcome> outcomes =
        inbox.processClaimed(
            List.of(slow.id(), next.id()),
            "worker",
            (record, context) -> {
              if (record.eventId().equals(slow.id())) {
                Thread.sleep(150); // longer than the batch waits before it commits
              } else {
                // Read through another connection: only what is committed shows.
                seenByTheNext.add(record(slow).status().code());
              }
            });

    assertThat(outcomes).containsExactly(Outcome.DONE, Outcome.DONE);
    assertThat(seenByTheNext).containsExactly(InboxStatus.DONE.code());
  }

  @Test
  void eventsClaimedOnArrivalRunTogetherAndAFailingOneRollsBackOnlyItsOwnWrites() throws Exception {
    createLedger();
    List<VerifiedEvent> events = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      events.add(receivedClaimedBy("worker"));
    }
    VerifiedEvent throwsError = events.get(1);
    VerifiedEvent catchesItsFailedStatement = events.get(2);
    List<String> ids = new ArrayList<>(events.stream().map(VerifiedEvent::id).toList());
    ids.add("evt_unknown");

    List<Outcome> outcomes =
        inbox.processClaimed(
            ids,
            "worker",
            (record, context) -> {
              writeLedger(record, context);
              if (record.eventId().equals(throwsError.id())) {
                throw new AssertionError("an Error, after a write");
              }
              if (record.eventId().equals(catchesItsFailedStatement.id())) {
                try {
                  writeLedger(record, context); // a duplicate key: the statement fails
                } catch (SQLException caught) {
                  // PostgreSQL: the transaction cannot commit this event's work any more
                }
              }
            });

    assertThat(outcomes.get(0)).isEqualTo(Outcome.DONE);
    assertThat(outcomes.get(1)).isEqualTo(Outcome.FAILED);
    assertThat(outcomes.get(3)).isEqualTo(Outcome.DONE);
    assertThat(outcomes.get(4)).isEqualTo(Outcome.UNKNOWN);
    assertThat(record(throwsError).status()).isEqualTo(InboxStatus.FAILED);
    assertThat(record(throwsError).lastError()).contains("an Error, after a write");
    assertThat(ledger())
        .contains(events.get(0).id(), events.get(3).id())
        .doesNotContain(throwsError.id());
    // Done with its first write (H2 keeps it), or failed with none (PostgreSQL refuses the rest).
    assertThat(
            outcomes.get(2) == Outcome.DONE
                ? ledger().contains(catchesItsFailedStatement.id())
                : !ledger().contains(catchesItsFailedStatement.id()))
        .isTrue();
    for (VerifiedEvent event : List.of(events.get(0), events.get(3))) {
      assertThat(record(event).status()).isEqualTo(InboxStatus.DONE);
      assertThat(inbox.attempts(event.id()))
          .extracting(ProcessingAttempt::owner, ProcessingAttempt::outcome)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("worker", Outcome.DONE));
    }
  }

  /**
   * Receives {@code first} alone, its commit held until {@code later} wait behind it, then releases
   * them into the next transaction together; returns each answer, or the failure.
   */
  private List<Object> receiveTogetherAfter(VerifiedEvent first, List<VerifiedEvent> later)
      throws Exception {
    CountDownLatch firstWaits = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean gate = new AtomicBoolean();
    DataSource gated =
        (DataSource)
            java.lang.reflect.Proxy.newProxyInstance(
                DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("getConnection") && gate.compareAndSet(true, false)) {
                    firstWaits.countDown();
                    release.await(30, TimeUnit.SECONDS);
                  }
                  try {
                    return method.invoke(dataSource(), args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    inbox = JdbcEventInbox.create(gated, options().build());
    ExecutorService callers = Executors.newFixedThreadPool(later.size() + 1);
    try {
      gate.set(true);
      List<Future<Receipt>> answers = new ArrayList<>();
      answers.add(callers.submit(() -> receive(inbox, first)));
      firstWaits.await(30, TimeUnit.SECONDS);
      List<Thread> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (VerifiedEvent event : later) {
        answers.add(
            callers.submit(
                () -> {
                  waiting.add(Thread.currentThread());
                  return receive(inbox, event);
                }));
      }
      // Waiting for the first commit, not yet in a transaction: they go in the next together.
      while (waiting.size() < later.size()
          || waiting.stream().anyMatch(t -> t.getState() != Thread.State.WAITING)) {
        Thread.onSpinWait();
      }
      release.countDown();
      List<Object> results = new ArrayList<>();
      for (Future<Receipt> answer : answers) {
        try {
          results.add(answer.get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          results.add(e.getCause());
        }
      }
      return results;
    } finally {
      release.countDown();
      callers.shutdownNow();
    }
  }

  @Test
  void twoCopiesOfOneEventInOneCommitAreStoredOnceNewThenPending() throws Exception {
    VerifiedEvent event = TestEvents.event("invoice.paid");
    List<Object> answers =
        receiveTogetherAfter(TestEvents.event("invoice.paid"), List.of(event, event));
    assertThat(answers.get(0)).isEqualTo(Receipt.NEW);
    assertThat(answers.subList(1, 3)).containsExactlyInAnyOrder(Receipt.NEW, Receipt.PENDING);
    assertThat(record(event).status()).isEqualTo(InboxStatus.RECEIVED);
  }

  @Test
  void aRowTheDatabaseRefusesInASharedCommitFailsOnlyItsOwnDelivery() throws Exception {
    VerifiedEvent first = TestEvents.event("invoice.paid");
    VerifiedEvent refused = TestEvents.about("sub_far_future", Instant.MAX.getEpochSecond());
    VerifiedEvent good = TestEvents.event("invoice.paid");

    List<Object> answers = receiveTogetherAfter(first, List.of(refused, good, good));

    assertThat(answers.get(0)).isEqualTo(Receipt.NEW);
    assertThat(answers.get(1))
        .isInstanceOf(InboxException.class)
        .satisfies(e -> assertThat(((Exception) e).getMessage()).contains(refused.id()));
    assertThat(answers.subList(2, 4)).containsExactlyInAnyOrder(Receipt.NEW, Receipt.PENDING);
    assertThat(inbox.find(first.id())).isPresent();
    assertThat(inbox.find(good.id())).isPresent();
    assertThat(inbox.find(refused.id())).isEmpty();
  }

  private static Receipt receive(EventInbox target, VerifiedEvent event) throws InboxException {
    return target.receive(event, TestEvents.header(event), null);
  }

  private void createLedger() throws SQLException {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS test_ledger");
      statement.execute("CREATE TABLE test_ledger (event_id VARCHAR(255) PRIMARY KEY)");
    }
  }

  private void writeLedger(InboxRecord record, dev.stripewebhook.HandlingContext context)
      throws SQLException {
    try (PreparedStatement insert =
        context
            .connection()
            .orElseThrow()
            .prepareStatement("INSERT INTO test_ledger (event_id) VALUES (?)")) {
      insert.setString(1, record.eventId());
      insert.executeUpdate();
    }
  }

  private List<String> ledger() throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT event_id FROM test_ledger")) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }
}
