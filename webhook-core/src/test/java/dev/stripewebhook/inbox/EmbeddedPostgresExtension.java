// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * Starts one real PostgreSQL (binaries from Maven Central, extracted under java.io.tmpdir) for the
 * whole test JVM, the first time a test class asks, and stops it when JUnit closes its root store.
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback {
  private static final Namespace NAMESPACE = Namespace.create(EmbeddedPostgresExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Server.class, key -> new Server(), Server.class);
  }

  /** The running server. */
  public static final class Server implements AutoCloseable {
    private static volatile Server current;
    private final EmbeddedPostgres postgres;
    private final DataSource pool;

    Server() {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new IllegalStateException("embedded PostgreSQL did not start", e);
      }
      pool = new TestPool(postgres.getPostgresDatabase());
      current = this;
    }

    /** A pooled DataSource on the {@code postgres} database. */
    DataSource dataSource() {
      return pool;
    }

    /** A pooled DataSource on the running server's {@code postgres} database. */
    public static DataSource currentDataSource() {
      return current.dataSource();
    }

    /** The JDBC URL of the running server's {@code postgres} database, for other JVMs. */
    public static String currentJdbcUrl() {
      return current.postgres.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public void close() throws IOException {
      postgres.close();
    }
  }
}
