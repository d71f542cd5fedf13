// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.JdbcEventInbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * What a durable sync delivery costs the database, without HTTP: how many events a second the JDBC
 * inbox stores and marks done ({@code receive} with an owner, then {@code process} with a handler
 * that does nothing), against plain JDBC doing the least that storing an event durably before its
 * handler runs takes on the same tables: one INSERT committed, then one UPDATE to done committed. A
 * third row commits the two statements together, as a design that ran the handler inside the
 * storing transaction could. The durable rows of {@link LoadBenchmark} cannot be faster than these
 * floors; the ratio says what the inbox adds to them. Not JMH: each variant runs its threads on
 * fresh tables for a fixed time, the variants in turn, rounds as in the load harness.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.stripewebhook.benchmarks.http.InboxFloorBenchmark \
 *     --store h2 --seconds 8 --rounds 3 --threads 16
 * java -cp benchmarks/target/benchmarks.jar dev.stripewebhook.benchmarks.http.InboxFloorBenchmark \
 *     --store postgres --seconds 8 --rounds 3 --threads 16
 * }</pre>
 *
 * <p>Each thread makes its events as the request threads do (a 6 KiB pretty-printed event, a unique
 * id, a fresh signature, verified), in every variant alike. H2 is a file database with {@code
 * WRITE_DELAY=0}, PostgreSQL runs with {@code synchronous_commit=on}, both behind the pool the load
 * harness uses, of as many connections as threads.
 */
public final class InboxFloorBenchmark {
  private static final String OWNER = "floor";
  private static final String INSERT =
      "INSERT INTO stripe_webhook_inbox (endpoint, event_id, event_type, livemode, account,"
          + " api_version, data_object_id, event_created, received_at, body, signature_header,"
          + " client_address, status, attempts, next_attempt_at, lease_owner, lease_until)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'processing', 1, ?, ?, ?)";
  private static final String DONE =
      "UPDATE stripe_webhook_inbox SET status = 'done', handled_at = ?, lease_owner = NULL,"
          + " lease_until = NULL WHERE endpoint = ? AND event_id = ? AND status = 'processing'"
          + " AND lease_owner = ?";
  private static final String ATTEMPT_START =
      "INSERT INTO stripe_webhook_inbox_attempt (endpoint, event_id, attempt, owner, started_at)"
          + " VALUES ('default', ?, 1, ?, ?)";
  private static final String ATTEMPT_END =
      "UPDATE stripe_webhook_inbox_attempt SET finished_at = ?, outcome = 'done', error = NULL"
          + " WHERE endpoint = 'default' AND event_id = ? AND attempt = 1";

  private InboxFloorBenchmark() {}

  /** One way of storing an event and marking it done. */
  enum Variant {
    INBOX("the JDBC inbox: receive + process"),
    TWO_COMMITS("plain JDBC: INSERT, commit; UPDATE, commit"),
    ONE_COMMIT("plain JDBC: INSERT, UPDATE, one commit"),
    WITH_ATTEMPTS("plain JDBC, two commits, each with its attempt row's INSERT or UPDATE");

    final String description;

    Variant(String description) {
      this.description = description;
    }
  }

  public static void main(String[] args) throws Exception {
    String store = "h2";
    int seconds = 8;
    int rounds = 3;
    int threads = 16;
    Path data = Path.of("target/inbox-floor");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--store" -> store = args[i + 1];
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--data" -> data = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!store.equals("h2") && !store.equals("postgres")) {
      throw new IllegalArgumentException("--store h2|postgres");
    }
    System.out.printf(
        Locale.ROOT,
        "store %s, %d threads, %d s a turn; load average %s%n",
        store,
        threads,
        seconds,
        MachineLoad.loadAverage());
    Variant[] variants = Variant.values();
    double[][] perSecond = new double[variants.length][rounds];
    try (Stores stores = new Stores(store, data, threads)) {
      for (int round = 0; round < rounds; round++) {
        for (Variant variant : variants) {
          JdbcConnectionPool pool = stores.fresh(variant.name().toLowerCase(Locale.ROOT) + round);
          double rate;
          try {
            rate = turn(variant, pool, threads, seconds);
          } finally {
            pool.dispose(); // a PostgreSQL database's connections end with its turn
          }
          perSecond[variant.ordinal()][round] = rate;
          System.out.printf(
              Locale.ROOT,
              "round %d %-11s %,8.0f events/s | load %s%n",
              round + 1,
              variant.name().toLowerCase(Locale.ROOT),
              rate,
              MachineLoad.loadAverage());
        }
      }
    }
    System.out.println();
    System.out.println("| variant | events/s | × two commits (rounds) |");
    System.out.println("|---|---:|---|");
    for (Variant variant : variants) {
      double[] ratios = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        ratios[round] =
            perSecond[variant.ordinal()][round] / perSecond[Variant.TWO_COMMITS.ordinal()][round];
      }
      System.out.printf(
          Locale.ROOT,
          "| %s | %,.0f | %.2f %s |%n",
          variant.description,
          median(perSecond[variant.ordinal()]),
          median(ratios),
          Arrays.toString(
              Arrays.stream(ratios)
                  .mapToObj(r -> String.format(Locale.ROOT, "%.2f", r))
                  .toArray()));
    }
  }

  /** Runs {@code threads} threads of {@code variant} for {@code seconds}; events a second. */
  static double turn(Variant variant, DataSource dataSource, int threads, int seconds)
      throws Exception {
    // Makes the inbox's tables, which every variant writes.
    EventInbox inbox = JdbcEventInbox.create(dataSource, InboxOptions.defaults());
    AtomicLong events = new AtomicLong();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Events source = new Events();
        running.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    Events.Signed signed = source.next();
                    switch (variant) {
                      case INBOX -> throughTheInbox(inbox, signed);
                      case TWO_COMMITS -> plain(dataSource, signed, true);
                      case ONE_COMMIT -> plain(dataSource, signed, false);
                      case WITH_ATTEMPTS -> withAttempts(dataSource, signed);
                    }
                    events.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> thread : running) {
        thread.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return events.get() / ((System.nanoTime() - start) / 1e9);
  }

  private static void throughTheInbox(EventInbox inbox, Events.Signed signed) throws Exception {
    VerifiedEvent event = signed.event();
    if (inbox.receive(event, signed.header(), "127.0.0.1", OWNER) != Receipt.NEW
        || inbox.process(event.id(), OWNER, (record, context) -> {}) != Outcome.DONE) {
      throw new IllegalStateException("event " + event.id() + " was not stored and done");
    }
  }

  private static void plain(DataSource dataSource, Events.Signed signed, boolean commitBetween)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      plainIn(connection, signed, commitBetween);
      connection.commit();
    }
  }

  /** The INSERT, a commit if asked, the UPDATE; the caller commits. */
  private static void plainIn(Connection connection, Events.Signed signed, boolean commitBetween)
      throws SQLException {
    VerifiedEvent event = signed.event();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      insert.setString(1, "default");
      insert.setString(2, event.id());
      insert.setString(3, event.type());
      insert.setObject(4, event.livemode().orElse(null), Types.BOOLEAN);
      insert.setString(5, event.account().orElse(null));
      insert.setString(6, event.apiVersion().orElse(null));
      insert.setString(7, event.dataObjectId().orElse(null));
      insert.setObject(
          8,
          event.created().map(at -> at.atOffset(ZoneOffset.UTC)).orElse(null),
          Types.TIMESTAMP_WITH_TIMEZONE);
      insert.setObject(9, now, Types.TIMESTAMP_WITH_TIMEZONE);
      insert.setBytes(10, event.body());
      insert.setString(11, signed.header());
      insert.setString(12, "127.0.0.1");
      insert.setObject(13, now, Types.TIMESTAMP_WITH_TIMEZONE);
      insert.setString(14, OWNER);
      insert.setObject(15, now.plusMinutes(5), Types.TIMESTAMP_WITH_TIMEZONE);
      insert.executeUpdate();
    }
    if (commitBetween) {
      connection.commit();
    }
    try (PreparedStatement done = connection.prepareStatement(DONE)) {
      done.setObject(1, OffsetDateTime.now(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
      done.setString(2, "default");
      done.setString(3, event.id());
      done.setString(4, OWNER);
      if (done.executeUpdate() != 1) {
        throw new IllegalStateException("event " + event.id() + " was not marked done");
      }
    }
  }

  private static void withAttempts(DataSource dataSource, Events.Signed signed)
      throws SQLException {
    String id = signed.event().id();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement start = connection.prepareStatement(ATTEMPT_START)) {
        start.setString(1, id);
        start.setString(2, OWNER);
        start.setObject(3, OffsetDateTime.now(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
        start.executeUpdate();
      }
      plainIn(connection, signed, true);
      try (PreparedStatement end = connection.prepareStatement(ATTEMPT_END)) {
        end.setObject(1, OffsetDateTime.now(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
        end.setString(2, id);
        end.executeUpdate();
      }
      connection.commit();
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** Fresh databases of one kind, each behind a pool its caller disposes of; stops PostgreSQL. */
  static final class Stores implements AutoCloseable {
    private final Path data;
    private final int connections;
    private final BenchPostgres postgres;

    Stores(String store, Path data, int connections) throws Exception {
      this.data = data;
      this.connections = connections;
      if (Files.exists(data)) {
        try (var files = Files.walk(data)) {
          files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        }
      }
      Files.createDirectories(data);
      postgres = store.equals("postgres") ? new BenchPostgres(data.resolve("pg"), true) : null;
    }

    JdbcConnectionPool fresh(String name) throws SQLException {
      if (postgres != null) {
        return postgres.database(name, connections);
      }
      JdbcConnectionPool pool =
          JdbcConnectionPool.create(
              "jdbc:h2:file:" + data.resolve(name).toAbsolutePath() + ";WRITE_DELAY=0", "sa", "");
      pool.setMaxConnections(connections);
      return pool;
    }

    @Override
    public void close() throws Exception {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  /** One thread's signed, verified 6 KiB events with fresh ids. */
  private static final class Events {
    private static final AtomicLong IDS = new AtomicLong(System.nanoTime());
    private final EventTemplate template = EventTemplate.paymentIntentSucceeded(6 * 1024);
    private final Signer signer = new Signer(BenchServer.SECRET);
    private final SignatureVerifier verifier =
        SignatureVerifier.create(WebhookConfig.builder().secrets(BenchServer.SECRET).build());

    record Signed(VerifiedEvent event, String header) {}

    Signed next() throws Exception {
      byte[] body = template.render(IDS.incrementAndGet());
      String header = signer.header(body);
      return new Signed(verifier.verify(body, header), header);
    }
  }
}
