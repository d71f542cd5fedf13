// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.inbox.EmbeddedPostgresExtension;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The crash test: an application JVM on a real PostgreSQL is killed with SIGKILL in the
 * middle of a burst of deliveries and restarted; afterwards every event that got a 2xx is handled
 * exactly once, and every other one is handled once when Stripe delivers it again.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class CrashRecoveryTest {
  static final String SECRET = "whsec_crash_test";
  static final int EVENTS = 100;
  static final int KILL_AFTER = 30;
  static final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  DataSource database;

  @BeforeEach
  void resetTables() throws SQLException {
    database = freshTables();
  }

  /**
   * The embedded PostgreSQL without an inbox and with empty tables for what CrashTestApp's handler
   * records: {@code crash_handled} (one row a handling, no key: a second would show) and {@code
   * crash_runs} (when each run started and finished, written outside its transaction).
   */
  static DataSource freshTables() throws SQLException {
    DataSource database = EmbeddedPostgresExtension.Server.currentDataSource();
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox");
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox_attempt");
      statement.execute("DROP TABLE IF EXISTS crash_handled");
      statement.execute("DROP TABLE IF EXISTS crash_runs");
      statement.execute(
          "CREATE TABLE crash_handled (event_id VARCHAR(255) NOT NULL," + " pid BIGINT NOT NULL)");
      statement.execute(
          "CREATE TABLE crash_runs (run_id BIGSERIAL PRIMARY KEY,"
              + " event_id VARCHAR(255) NOT NULL, pid BIGINT NOT NULL,"
              + " started_at TIMESTAMP WITH TIME ZONE NOT NULL,"
              + " finished_at TIMESTAMP WITH TIME ZONE)");
    }
    return database;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sync", "async"})
  void everyAcknowledgedEventIsHandledExactlyOnceAfterAKillAndRestart(String processing)
      throws Exception {
    List<byte[]> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      events.add(StripeFixtures.event("invoice.paid"));
    }
    Map<String, Integer> firstAnswers = new ConcurrentHashMap<>();

    App first = App.start(processing);
    burstThenKill(first, events, firstAnswers);
    assertThat(firstAnswers)
        .as("the kill came in the middle of the burst")
        .hasSizeGreaterThanOrEqualTo(KILL_AFTER);
    Set<String> acknowledged = new HashSet<>();
    firstAnswers.forEach(
        (id, status) -> {
          if (status / 100 == 2) {
            acknowledged.add(id);
          }
        });

    Set<String> held = processingRows(); // claimed by the killed process
    App second = App.start(processing);
    long restarted = System.nanoTime();
    long lastHeldAcknowledged = restarted;
    try {
      if (processing.equals("async")) {
        // Nothing is delivered again yet: the stored events must be handled from the inbox.
        awaitHandled(acknowledged);
      }
      // Stripe delivers again whatever got no 2xx, and, being at least once, some that did.
      for (byte[] event : events) {
        String id = InboxFilterTest.id(event);
        if (!acknowledged.contains(id) || id.hashCode() % 3 == 0) {
          deliverUntil2xx(second, event);
          if (held.contains(id)) {
            lastHeldAcknowledged = System.nanoTime();
          }
        }
      }
      awaitHandled(ids(events));
      // The figure in the README's guarantees: the claims of the killed process end with their
      // lease (15 s, no longer renewed), so its events are acknowledged within about that.
      System.out.printf(
          "crash test (%s): %d events unanswered at the kill, %d of them claimed"
              + " by the killed process; those acknowledged within %.1f s of the restart%n",
          processing,
          EVENTS - acknowledged.size(),
          held.size(),
          (lastHeldAcknowledged - restarted) / 1e9);
    } finally {
      second.kill();
    }
    Map<String, Integer> handled = handledCounts();
    for (byte[] event : events) {
      String id = InboxFilterTest.id(event);
      assertThat(handled.get(id))
          .as("%s handled (acknowledged before the kill: %s)", id, acknowledged.contains(id))
          .isEqualTo(1);
    }
    assertThat(handled).hasSize(EVENTS);
  }

  private void burstThenKill(App app, List<byte[]> events, Map<String, Integer> answers)
      throws Exception {
    Semaphore inFlight = new Semaphore(8);
    CountDownLatch enough = new CountDownLatch(KILL_AFTER);
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (byte[] event : events) {
      inFlight.acquire();
      if (enough.getCount() == 0) {
        inFlight.release();
        break;
      }
      sent.add(
          client
              .sendAsync(request(app, event), HttpResponse.BodyHandlers.discarding())
              .whenComplete(
                  (response, error) -> {
                    if (response != null) {
                      answers.put(InboxFilterTest.id(event), response.statusCode());
                      enough.countDown();
                    }
                    inFlight.release();
                  }));
    }
    assertThat(enough.await(60, TimeUnit.SECONDS)).isTrue();
    app.kill(); // SIGKILL, with requests in flight
    for (CompletableFuture<?> future : sent) {
      try {
        future.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the connection died with the process: no answer, so Stripe would deliver again
      }
    }
  }

  /** As Stripe does: deliver again until a 2xx (409 while a dead owner's lease runs out). */
  private void deliverUntil2xx(App app, byte[] event) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int status;
    do {
      status =
          client.send(request(app, event), HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status / 100 == 2) {
        return;
      }
      assertThat(status).as("only a lease held by the killed instance delays it").isEqualTo(409);
      Thread.sleep(100); // real leases in a real second process
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no 2xx within 30 s; last " + status);
  }

  private Set<String> processingRows() throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        java.sql.ResultSet rows =
            statement.executeQuery(
                "SELECT event_id FROM stripe_webhook_inbox WHERE status = 'processing'")) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }

  private void awaitHandled(Set<String> ids) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!handledCounts().keySet().containsAll(ids)) {
      assertThat(System.nanoTime()).as("all handled within 60 s").isLessThan(deadline);
      Thread.sleep(100); // the other process's workers
    }
  }

  private Map<String, Integer> handledCounts() throws SQLException {
    Map<String, Integer> counts = new HashMap<>();
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT event_id, COUNT(*) FROM crash_handled GROUP BY event_id")) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getInt(2));
      }
    }
    return counts;
  }

  private static Set<String> ids(List<byte[]> events) {
    Set<String> ids = new HashSet<>();
    events.forEach(event -> ids.add(InboxFilterTest.id(event)));
    return ids;
  }

  private static HttpRequest request(App app, byte[] body) {
    return WebhookSender.request(app.uri, SignedPayload.of(body).secret(SECRET)).build();
  }

  /** The application in its own JVM. */
  static final class App {
    private static final AtomicInteger STARTS = new AtomicInteger();
    final Process process;
    final URI uri;
    private final StringBuffer output;

    private App(Process process, URI uri, StringBuffer output) {
      this.process = process;
      this.uri = uri;
      this.output = output;
    }

    /** Starts {@link CrashTestApp}; {@code more} are its optional arguments after the mode. */
    static App start(String processing, String... more) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // C1 only and serial GC: this JVM lives for seconds, start-up dominates.
      List<String> command =
          new ArrayList<>(
              List.of(
                  java,
                  "-Xmx256m",
                  "-XX:TieredStopAtLevel=1",
                  "-XX:+UseSerialGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrashTestApp.class.getName(),
                  EmbeddedPostgresExtension.Server.currentJdbcUrl(),
                  SECRET,
                  processing));
      command.addAll(List.of(more));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<Integer> port = new CompletableFuture<>();
      StringBuffer output = new StringBuffer();
      Thread reader =
          new Thread(
              () -> {
                try {
                  for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("READY ")) {
                      port.complete(Integer.parseInt(line.substring(6)));
                    } else {
                      output.append(line).append('\n');
                    }
                  }
                } catch (IOException e) {
                  // the process was killed
                }
                port.completeExceptionally(new IllegalStateException("the app exited:\n" + output));
              },
              "crash-app-output-" + STARTS.incrementAndGet());
      reader.setDaemon(true);
      reader.start();
      return new App(
          process,
          URI.create("http://127.0.0.1:" + port.get(60, TimeUnit.SECONDS) + "/hook"),
          output);
    }

    /** Everything the application printed so far, but its READY line. */
    String output() {
      return output.toString();
    }

    /** SIGKILL on Unix: no shutdown hook, no destroy(), no flush. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
