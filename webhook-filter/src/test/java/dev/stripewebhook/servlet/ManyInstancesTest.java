// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.inbox.EmbeddedPostgresExtension;
import dev.stripewebhook.servlet.CrashRecoveryTest.App;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many instances, slow handlers: two application JVMs (A and B) on one PostgreSQL get every event
 * of a burst at once, handlers take seconds, A is killed with SIGKILL in the middle and restarted,
 * and Stripe delivers again, to either instance, whatever got no 2xx. Every event is then handled
 * exactly once, none is left undone, and no two runs of one event's handler ever overlap, counting
 * the runs whose transaction rolled back and the runs the kill cut short.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ManyInstancesTest {
  static final int EVENTS = 60;
  static final int KILL_AFTER = 24;
  static final int IN_FLIGHT = 8; // events, each one sent to both instances
  static final String SLOW = "1000-2000"; // the handler's delay, ms
  static final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  DataSource database;

  @BeforeEach
  void resetTables() throws SQLException {
    database = CrashRecoveryTest.freshTables();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sync", "async"})
  void everyEventRunsOnceAndNeverTwiceAtOnceWhenOneOfTwoInstancesIsKilled(String processing)
      throws Exception {
    List<byte[]> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      events.add(StripeFixtures.event("invoice.paid"));
    }
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    App a = App.start(processing, SLOW);
    App b = App.start(processing, SLOW);
    App restarted = null;
    Kill kill;
    try {
      kill = burstKillingA(a, b, events, acknowledged);
      assertThat(kill.sentBefore)
          .as("the kill came in the middle of the burst")
          .isBetween(KILL_AFTER, EVENTS - 1);
      assertThat(kill.held).as("the kill found events claimed by A").isNotEmpty();
      restarted = App.start(processing, SLOW);
      redeliver(List.of(restarted, b), events, acknowledged);
      awaitAllDone();
    } catch (Throwable e) {
      throw new AssertionError(
          e.getMessage() + "\nlease warnings:\n" + leaseWarnings(a, b, restarted), e);
    } finally {
      a.kill();
      b.kill();
      if (restarted != null) {
        restarted.kill();
      }
    }

    Map<String, Integer> handled =
        countBy("SELECT event_id, COUNT(*) FROM crash_handled" + " GROUP BY event_id");
    for (byte[] event : events) {
      String id = InboxFilterTest.id(event);
      assertThat(handled.get(id)).as("%s handled", id).isEqualTo(1);
    }
    assertThat(handled).hasSize(EVENTS);
    assertThat(countBy("SELECT status, COUNT(*) FROM stripe_webhook_inbox GROUP BY status"))
        .as("no event stuck")
        .isEqualTo(Map.of("done", EVENTS));

    List<Run> runs = runs();
    List<String> overlaps = overlaps(runs, a.process.pid(), kill.at);
    assertThat(overlaps)
        .as("runs of one event that overlap; lease warnings:\n%s", leaseWarnings(a, b, restarted))
        .isEmpty();
    assertThat(runs)
        .as("runs of live instances all finished")
        .allMatch(run -> run.finished != null || run.pid == a.process.pid());

    List<Double> afterKill = new ArrayList<>();
    for (Instant done : handledAt(kill.held)) {
      afterKill.add(Duration.between(kill.at, done).toMillis() / 1e3);
    }
    Collections.sort(afterKill);
    long cutShort = runs.stream().filter(run -> run.finished == null).count();
    // The claims of the killed instance end with their lease (15 s after their last renewal, so
    // between 10 and 15 s after the kill), then another instance takes them over.
    long outlived =
        leaseWarnings(a, b, restarted).lines().filter(line -> line.contains("outlived")).count();
    System.out.printf(
        "many instances (%s): %d events, A killed after %d sent; %d events claimed"
            + " by A at the kill, done %.1f s (median %.1f s) to %.1f s (max) after it; %d runs"
            + " (%d beyond one per event, %d cut short by the kill), none overlapping; %d \"outlived"
            + " its lease\" warnings%n",
        processing,
        EVENTS,
        kill.sentBefore,
        kill.held.size(),
        afterKill.get(0),
        afterKill.get(afterKill.size() / 2),
        afterKill.get(afterKill.size() - 1),
        runs.size(),
        runs.size() - EVENTS,
        cutShort,
        outlived);
  }

  // The issue asks for a 70 s handler against the lease of 60 s it had then; the lease is 15 s
  // now (renewed every 5 s), so 20 s outlives it just as well.
  @Test
  void aHandlerLongerThanTheLeaseKeepsItsClaimAgainstTheOtherInstance() throws Exception {
    byte[] event = StripeFixtures.event("invoice.paid");
    String id = InboxFilterTest.id(event);
    App a = App.start("sync", "20000");
    App b = App.start("sync", "20000");
    try {
      CompletableFuture<HttpResponse<Void>> first =
          client.sendAsync(request(a, event, 60), HttpResponse.BodyHandlers.discarding());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (runs().isEmpty()) {
        assertThat(System.nanoTime()).as("the handler started").isLessThan(deadline);
        Thread.sleep(50); // the other process's request thread
      }
      long started = System.nanoTime();
      // Copies to B while A's handler runs: early, near the first renewal, and after the first
      // lease would have run out had it not been renewed.
      List<CompletableFuture<Integer>> copies = new ArrayList<>();
      for (int at : new int[] {1, 8, 16}) {
        long wait = started + TimeUnit.SECONDS.toNanos(at) - System.nanoTime();
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(wait)));
        assertThat(first).as("A's handler still runs %d s after it started", at).isNotDone();
        copies.add(
            client
                .sendAsync(request(b, event, 60), HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode));
      }
      assertThat(first.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      List<Integer> answers = new ArrayList<>();
      for (CompletableFuture<Integer> copy : copies) {
        answers.add(copy.get(60, TimeUnit.SECONDS));
      }
      System.out.printf(
          "many instances (20 s handler, 15 s lease): B answered %s to copies"
              + " sent 1, 8 and 16 s into A's run%n",
          answers);
      assertThat(answers)
          .as("B's answers while A holds the event")
          .allMatch(status -> status == 200 || status == 409);
      assertThat(
              client
                  .send(request(b, event, 30), HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .as("a copy after the outcome")
          .isEqualTo(200);
    } finally {
      a.kill();
      b.kill();
    }
    assertThat(runs()).as("runs; B's log:\n%s", b.output()).hasSize(1);
    assertThat(countBy("SELECT event_id, COUNT(*) FROM crash_handled GROUP BY event_id"))
        .isEqualTo(Map.of(id, 1));
  }

  /** What the kill of A left: when, how far into the burst, and what A had claimed. */
  record Kill(Instant at, int sentBefore, Set<String> held) {}

  /**
   * Sends every event to A and a copy to B at once, {@link #IN_FLIGHT} events at a time; once
   * {@link #KILL_AFTER} events have their answers, kills A (with requests in flight) and sends the
   * rest, A's copies failing.
   */
  private Kill burstKillingA(App a, App b, List<byte[]> events, Set<String> acknowledged)
      throws Exception {
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    AtomicInteger answered = new AtomicInteger();
    List<CompletableFuture<?>> sent = new ArrayList<>();
    Kill kill = null;
    for (int i = 0; i < events.size(); i++) {
      inFlight.acquire();
      if (kill == null && answered.get() >= KILL_AFTER) {
        kill = kill(a, i);
      }
      byte[] event = events.get(i);
      String id = InboxFilterTest.id(event);
      List<CompletableFuture<?>> copies = new ArrayList<>();
      for (App app : List.of(a, b)) {
        copies.add(
            client
                .sendAsync(request(app, event, 30), HttpResponse.BodyHandlers.discarding())
                .thenAccept(
                    response -> {
                      if (response.statusCode() / 100 == 2) {
                        acknowledged.add(id);
                      }
                    }));
      }
      sent.add(
          CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new))
              .handle(
                  (ignored, error) -> { // a copy to the dead A: no answer
                    answered.incrementAndGet();
                    inFlight.release();
                    return null;
                  }));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    return kill != null ? kill : kill(a, events.size());
  }

  /** SIGKILL to A, then what A had claimed, read at once (its leases are still running). */
  private Kill kill(App a, int sentBefore) throws Exception {
    a.kill();
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        PreparedStatement held =
            connection.prepareStatement(
                "SELECT event_id"
                    + " FROM stripe_webhook_inbox WHERE status = 'processing' AND lease_owner LIKE ?")) {
      Instant at;
      try (ResultSet now = statement.executeQuery("SELECT clock_timestamp()")) {
        now.next();
        at = now.getObject(1, OffsetDateTime.class).toInstant();
      }
      held.setString(1, "pid" + a.process.pid() + "-%");
      Set<String> ids = new HashSet<>();
      try (ResultSet rows = held.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
      return new Kill(at, sentBefore, ids);
    }
  }

  /**
   * As Stripe does: every event not yet answered 2xx, and some that were (at least once), is
   * delivered again until a 2xx, to one instance then the other.
   */
  private void redeliver(List<App> apps, List<byte[]> events, Set<String> acknowledged)
      throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(IN_FLIGHT * 2);
    try {
      List<Future<?>> done = new ArrayList<>();
      int i = 0;
      for (byte[] event : events) {
        String id = InboxFilterTest.id(event);
        if (!acknowledged.contains(id) || Math.floorMod(id.hashCode(), 5) == 0) {
          int first = i++;
          done.add(
              senders.submit(
                  () -> {
                    deliverUntil2xx(apps, first, event);
                    acknowledged.add(id);
                    return null;
                  }));
        }
      }
      for (Future<?> future : done) {
        future.get(120, TimeUnit.SECONDS);
      }
    } finally {
      senders.shutdownNow();
    }
  }

  private void deliverUntil2xx(List<App> apps, int first, byte[] event) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    int status;
    int attempt = first;
    do {
      App app = apps.get(attempt++ % apps.size());
      status =
          client.send(request(app, event, 30), HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status / 100 == 2) {
        return;
      }
      assertThat(status)
          .as("%s: only a held claim delays it", InboxFilterTest.id(event))
          .isEqualTo(409);
      Thread.sleep(200); // real leases in other processes
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no 2xx within 90 s; last " + status);
  }

  private void awaitAllDone() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Map<String, Integer> statuses;
    while (!(statuses =
            countBy("SELECT status, COUNT(*) FROM stripe_webhook_inbox" + " GROUP BY status"))
        .equals(Map.of("done", EVENTS))) {
      assertThat(System.nanoTime())
          .as("all done within 120 s; now %s", statuses)
          .isLessThan(deadline);
      Thread.sleep(200); // the instances' workers
    }
  }

  /** One run of the handler, as it recorded itself; no end when its process was killed. */
  record Run(String eventId, long pid, Instant started, Instant finished) {}

  private List<Run> runs() throws SQLException {
    List<Run> runs = new ArrayList<>();
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT event_id, pid, started_at, finished_at"
                    + " FROM crash_runs ORDER BY event_id, started_at")) {
      while (rows.next()) {
        OffsetDateTime finished = rows.getObject(4, OffsetDateTime.class);
        runs.add(
            new Run(
                rows.getString(1),
                rows.getLong(2),
                rows.getObject(3, OffsetDateTime.class).toInstant(),
                finished == null ? null : finished.toInstant()));
      }
    }
    return runs;
  }

  /**
   * Pairs of runs of one event that overlap. A run without an end lasted until the kill if the
   * killed process ran it, else forever.
   */
  private static List<String> overlaps(List<Run> runs, long killedPid, Instant killedAt) {
    List<String> overlaps = new ArrayList<>();
    Map<String, List<Run>> byEvent = runs.stream().collect(Collectors.groupingBy(Run::eventId));
    byEvent.forEach(
        (id, ofEvent) -> {
          for (int i = 1; i < ofEvent.size(); i++) {
            Run before = ofEvent.get(i - 1);
            Run after = ofEvent.get(i);
            Instant end =
                before.finished != null
                    ? before.finished
                    : before.pid == killedPid ? killedAt : Instant.MAX;
            if (after.started.isBefore(end)) {
              overlaps.add(before + " and " + after);
            }
          }
        });
    return overlaps;
  }

  private List<Instant> handledAt(Set<String> ids) throws SQLException {
    List<Instant> handled = new ArrayList<>();
    try (Connection connection = database.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT handled_at FROM stripe_webhook_inbox WHERE event_id = ?")) {
      for (String id : ids) {
        select.setString(1, id);
        try (ResultSet row = select.executeQuery()) {
          row.next();
          handled.add(row.getObject(1, OffsetDateTime.class).toInstant());
        }
      }
    }
    return handled;
  }

  private Map<String, Integer> countBy(String query) throws SQLException {
    Map<String, Integer> counts = new HashMap<>();
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getInt(2));
      }
    }
    return counts;
  }

  /** The instances' log lines about leases, to tell a lost claim from a bug of the test. */
  private static String leaseWarnings(App... apps) {
    StringBuilder lines = new StringBuilder();
    for (App app : apps) {
      if (app != null) {
        app.output()
            .lines()
            .filter(line -> line.contains("lease") || line.contains("took the event over"))
            .forEach(
                line ->
                    lines
                        .append("pid ")
                        .append(app.process.pid())
                        .append(": ")
                        .append(line)
                        .append('\n'));
      }
    }
    return lines.toString();
  }

  private static HttpRequest request(App app, byte[] body, int timeoutSeconds) {
    return WebhookSender.request(app.uri, SignedPayload.of(body).secret(CrashRecoveryTest.SECRET))
        .timeout(Duration.ofSeconds(timeoutSeconds))
        .build();
  }
}
