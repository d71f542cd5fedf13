// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.VerifiedEvent;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two application instances' workers on one real PostgreSQL. */
@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresInboxWorkersTest {

  @Test
  void twoInstancesWorkersHandleEachEventOnce() throws Exception {
    DataSource dataSource = EmbeddedPostgresExtension.Server.currentDataSource();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox");
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox_attempt");
    }
    EventInbox instance1 = JdbcEventInbox.create(dataSource, InboxOptions.defaults());
    EventInbox instance2 = JdbcEventInbox.create(dataSource, InboxOptions.defaults());
    List<VerifiedEvent> events = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      VerifiedEvent event = TestEvents.event("invoice.paid");
      (i % 2 == 0 ? instance1 : instance2).receive(event, TestEvents.header(event), null);
      events.add(event);
    }
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    CountDownLatch allHandled = new CountDownLatch(events.size());
    // Each instance's first event waits for the other's: both are surely claiming at once.
    CountDownLatch bothWorking = new CountDownLatch(2);
    List<EventInbox.Work> works = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      AtomicBoolean first = new AtomicBoolean(true);
      works.add(
          (record, context) -> {
            if (first.getAndSet(false)) {
              bothWorking.countDown();
              assertThat(bothWorking.await(30, TimeUnit.SECONDS)).isTrue();
            }
            runs.computeIfAbsent(record.eventId(), id -> new AtomicInteger()).incrementAndGet();
            allHandled.countDown();
          });
    }
    try (InboxWorkers workers1 = InboxWorkers.processing(instance1, "instance-1", works.get(0));
        InboxWorkers workers2 = InboxWorkers.processing(instance2, "instance-2", works.get(1))) {
      workers1.start();
      workers2.start();
      assertThat(allHandled.await(60, TimeUnit.SECONDS)).isTrue();
    }
    for (VerifiedEvent event : events) {
      assertThat(runs.get(event.id())).as(event.id()).hasValue(1);
      assertThat(instance1.find(event.id()).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
    }
    assertThat(bothWorking.getCount()).isZero();
  }

  @Test
  void eachEndpointsWorkersClaimOnlyThatEndpointsEvents() throws Exception {
    DataSource dataSource = EmbeddedPostgresExtension.Server.currentDataSource();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox");
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox_attempt");
    }
    Map<String, EventInbox> inboxes =
        Map.of(
            "platform",
                JdbcEventInbox.create(
                    dataSource, InboxOptions.builder().endpoint("platform").build()),
            "connect",
                JdbcEventInbox.create(
                    dataSource, InboxOptions.builder().endpoint("connect").build()));
    Map<String, List<String>> stored =
        Map.of("platform", new ArrayList<>(), "connect", new ArrayList<>());
    for (int i = 0; i < 30; i++) {
      VerifiedEvent event = TestEvents.event("invoice.paid");
      // Two thirds go to both endpoints under the same id, the rest to the platform only.
      for (String endpoint : i % 3 == 0 ? List.of("platform") : List.of("platform", "connect")) {
        inboxes.get(endpoint).receive(event, TestEvents.header(event), null);
        stored.get(endpoint).add(event.id());
      }
    }
    Map<String, List<String>> handled = new ConcurrentHashMap<>();
    CountDownLatch allHandled =
        new CountDownLatch(stored.get("platform").size() + stored.get("connect").size());
    List<InboxWorkers> workers = new ArrayList<>();
    try {
      for (String endpoint : List.of("platform", "connect")) {
        InboxWorkers each =
            InboxWorkers.processing(
                inboxes.get(endpoint),
                "app-1-" + endpoint,
                (record, context) -> {
                  handled
                      .computeIfAbsent(endpoint, e -> new CopyOnWriteArrayList<>())
                      .add(record.endpoint() + "/" + record.eventId());
                  allHandled.countDown();
                });
        workers.add(each);
        each.start();
      }
      assertThat(allHandled.await(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      workers.forEach(InboxWorkers::close);
    }
    for (String endpoint : List.of("platform", "connect")) {
      assertThat(handled.get(endpoint))
          .as(endpoint)
          .containsExactlyInAnyOrderElementsOf(
              stored.get(endpoint).stream().map(id -> endpoint + "/" + id).toList());
      assertThat(inboxes.get(endpoint).countByStatus())
          .containsEntry(InboxStatus.DONE, (long) stored.get(endpoint).size());
    }
  }
}
