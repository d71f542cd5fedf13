// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.JdbcEventInbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * How fast one worker thread drains a backlog from an inbox that also holds many finished events,
 * without HTTP and with a handler that does nothing: the inbox's own cost per stored-and-handled
 * event. Not a JMH benchmark: each round fills a fresh inbox, then times {@code processDue} (10 at
 * a time, as the workers ask) until nothing is due.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.stripewebhook.benchmarks.http.InboxDrainBenchmark \
 *     --store memory --done 8000 --backlog 2000 --rounds 5
 * java -cp benchmarks/target/benchmarks.jar dev.stripewebhook.benchmarks.http.InboxDrainBenchmark \
 *     --store h2 --done 100000 --backlog 3000 --rounds 3
 * }</pre>
 *
 * <p>The in-memory inbox keeps at most 10,000 events (its default capacity), so done + backlog
 * should stay under that. For H2 the done rows are inserted with one SQL statement (as a day or
 * more of handled events would leave them), the backlog through {@code receive}.
 */
public final class InboxDrainBenchmark {
  private InboxDrainBenchmark() {}

  public static void main(String[] args) throws Exception {
    String store = "memory";
    int done = 8_000;
    int backlog = 2_000;
    int rounds = 5;
    Path data = Path.of("target/inbox-drain");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--store" -> store = args[i + 1];
        case "--done" -> done = Integer.parseInt(args[i + 1]);
        case "--backlog" -> backlog = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--data" -> data = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "store %s, done %,d, backlog %,d; inbox code: %s; load" + " average %s%n",
        store,
        done,
        backlog,
        codeVersion(store),
        Files.readString(Path.of("/proc/loadavg")).trim());
    double[] perSecond = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      Round round =
          store.equals("h2")
              ? h2Round(data.resolve("r" + i), done, backlog)
              : memoryRound(done, backlog);
      if (round.handled() != backlog) {
        throw new IllegalStateException("handled " + round.handled() + " of " + backlog);
      }
      perSecond[i] = round.perSecond();
      System.out.printf(Locale.ROOT, "round %d: %,.0f events/s%n", i + 1, perSecond[i]);
    }
    Arrays.sort(perSecond);
    System.out.printf(Locale.ROOT, "median %,.0f events/s%n", perSecond[rounds / 2]);
  }

  /**
   * Which version of the due query or scan is on the class path. The H2 query moved from
   * JdbcEventInbox to JdbcDialect when the inbox was split.
   */
  private static String codeVersion(String store) {
    List<String> types =
        store.equals("h2")
            ? List.of("dev.stripewebhook.inbox.JdbcDialect", JdbcEventInbox.class.getName())
            : List.of(InMemoryEventInbox.class.getName());
    String field = store.equals("h2") ? "SELECT_DUE_UNION" : "due";
    for (String type : types) {
      try {
        if (Arrays.stream(Class.forName(type).getDeclaredFields())
            .anyMatch(f -> f.getName().equals(field))) {
          return "with the due index (" + field + ")";
        }
      } catch (ClassNotFoundException e) {
        // an older build: the next type
      }
    }
    return "without " + field;
  }

  /**
   * One round: how many events the drain handled, how many events of each status the inbox then
   * holds, and the rate.
   */
  record Round(long handled, Map<InboxStatus, Long> counts, double perSecond) {}

  static Round memoryRound(int done, int backlog) throws Exception {
    EventInbox inbox = new InMemoryEventInbox(InboxOptions.defaults());
    Events events = new Events();
    for (int i = 0; i < done; i++) {
      String id = events.receive(inbox);
      inbox.process(id, "fill", (record, context) -> {});
    }
    for (int i = 0; i < backlog; i++) {
      events.receive(inbox);
    }
    return drain(inbox);
  }

  static Round h2Round(Path directory, int done, int backlog) throws Exception {
    Files.createDirectories(directory);
    JdbcConnectionPool pool =
        JdbcConnectionPool.create(
            "jdbc:h2:file:" + directory.resolve("inbox").toAbsolutePath() + ";WRITE_DELAY=0",
            "sa",
            "");
    try {
      try (Connection connection = pool.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox");
      }
      EventInbox inbox = JdbcEventInbox.create(pool, InboxOptions.defaults());
      try (Connection connection = pool.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(
            "INSERT INTO stripe_webhook_inbox (endpoint, event_id, event_type,"
                + " received_at, body, signature_header, status, attempts, next_attempt_at, handled_at)"
                + " SELECT 'default', 'evt_done_' || x, 'payment_intent.succeeded', CURRENT_TIMESTAMP,"
                + " CAST(X'7b7d' AS VARBINARY), 't=0,v1=00', 'done', 1, CURRENT_TIMESTAMP,"
                + " CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, "
                + done
                + ")");
      }
      Events events = new Events();
      for (int i = 0; i < backlog; i++) {
        events.receive(inbox);
      }
      return drain(inbox);
    } finally {
      pool.dispose();
    }
  }

  /** Times one thread's processDue calls until nothing is due. */
  private static Round drain(EventInbox inbox) throws Exception {
    AtomicLong handled = new AtomicLong();
    long start = System.nanoTime();
    while (inbox.processDue("drain", 10, (record, context) -> handled.incrementAndGet()) > 0) {
      // claims ten at a time, as InboxWorkers does
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Round(handled.get(), inbox.countByStatus(), handled.get() / seconds);
  }

  /** Signed, verified payment_intent.succeeded events with fresh ids. */
  private static final class Events {
    private final EventTemplate template = EventTemplate.paymentIntentSucceeded(3 * 1024);
    private final Signer signer = new Signer(BenchServer.SECRET);
    private final SignatureVerifier verifier =
        SignatureVerifier.create(WebhookConfig.builder().secrets(BenchServer.SECRET).build());
    private long next = System.nanoTime();

    String receive(EventInbox inbox) throws Exception {
      byte[] body = template.render(next++);
      String header = signer.header(body);
      var event = verifier.verify(body, header);
      inbox.receive(event, header, "127.0.0.1");
      return event.id();
    }
  }
}
