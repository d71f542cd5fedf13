// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.jaxrs.StripeWebhookFeature;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * One embedded Jetty 12 server on 127.0.0.1 and a free port, serving the given {@link SetUp}s, each
 * on its own path, with one {@link BenchServlets.PaymentIntentHandler} per set-up that handles
 * events; and, when a set-up needs it, one embedded PostgreSQL on 127.0.0.1 with one database per
 * set-up.
 */
final class BenchServer implements AutoCloseable {
  static final String SECRET = "whsec_loadbench_0123456789abcdef";

  /** Connections per database pool. */
  private static final int CONNECTIONS = 32;

  /**
   * The delivery log, at its default (INFO, up to 100 lines a second) except during the turns of
   * {@link SetUp#FILTER_QUIET}. Kept in a field: JUL holds loggers weakly.
   */
  private static final java.util.logging.Logger DELIVERY_LOG =
      java.util.logging.Logger.getLogger(StripeWebhookFilter.DELIVERY_LOGGER);

  private final Server server;
  private final Map<SetUp, BenchServlets.PaymentIntentHandler> handlers =
      new EnumMap<>(SetUp.class);
  private final List<JdbcConnectionPool> pools = new ArrayList<>();
  private final BenchPostgres postgres;
  private final int workers;

  /**
   * Starts the server with {@code setUps} (and PostgreSQL, when one of them needs it, with {@code
   * synchronous_commit} on or off) and {@code workers} threads for the async set-ups; databases go
   * to {@code dataDirectory}, emptied first.
   */
  BenchServer(Path dataDirectory, Collection<SetUp> setUps, boolean synchronousCommit, int workers)
      throws Exception {
    this.workers = workers;
    deleteRecursively(dataDirectory);
    Files.createDirectories(dataDirectory);
    if (setUps.stream().anyMatch(setUp -> setUp.store() == SetUp.Store.POSTGRES)) {
      postgres = new BenchPostgres(dataDirectory.resolve("postgres"), synchronousCommit);
    } else {
      postgres = null;
    }
    try {
      server = start(dataDirectory, setUps);
    } catch (Exception e) {
      if (postgres != null) {
        postgres.close();
      }
      throw e;
    }
  }

  /** The CPU time, in seconds, of the benchmark's PostgreSQL server processes; 0 without one. */
  double databaseCpuSeconds() {
    return postgres == null ? 0 : postgres.cpuSeconds();
  }

  private Server start(Path dataDirectory, Collection<SetUp> setUps) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(64, 16);
    threads.setName("server");
    threads.setIdleTimeout(3_600_000); // keep threads: their allocation counters must not vanish
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    for (SetUp setUp : setUps) {
      String path = setUp.path();
      if (setUp == SetUp.JAXRS_TYPED) {
        ResourceConfig application =
            new ResourceConfig()
                .register(new StripeWebhookFeature(WebhookConfig.builder().secrets(SECRET).build()))
                .register(JaxrsTypedResource.class);
        context.addServlet(new ServletHolder(new ServletContainer(application)), path + "/*");
        continue;
      }
      if (setUp == SetUp.JAXRS_BARE) {
        ResourceConfig application = new ResourceConfig().register(JaxrsBareResource.class);
        context.addServlet(new ServletHolder(new ServletContainer(application)), path + "/*");
        continue;
      }
      if (setUp == SetUp.HAND_WRITTEN) {
        context.addServlet(new ServletHolder(new BenchServlets.HandWritten(SECRET)), path);
        continue;
      }
      context.addServlet(new ServletHolder(new BenchServlets.Bare()), path);
      if (setUp != SetUp.BARE) {
        FilterHolder filter = new FilterHolder(filter(setUp, dataDirectory));
        filter.setName(setUp.label());
        context.addFilter(filter, path, EnumSet.of(DispatcherType.REQUEST));
      }
    }
    server.setHandler(context);
    server.start();
    return server;
  }

  private StripeWebhookFilter filter(SetUp setUp, Path dataDirectory) throws SQLException {
    WebhookConfig.Builder config = WebhookConfig.builder().secrets(SECRET);
    if (setUp == SetUp.FILTER_EVERY_LINE) {
      config.deliveryLogLines(0);
    }
    if (setUp.async()) {
      config.processing(WebhookConfig.Processing.ASYNC).workers(workers);
    }
    EventHandlers eventHandlers = EventHandlers.none();
    if (setUp.handles()) {
      BenchServlets.PaymentIntentHandler handler = new BenchServlets.PaymentIntentHandler();
      handlers.put(setUp, handler);
      eventHandlers = EventHandlers.of(handler);
    }
    InboxOptions options = InboxOptions.defaults();
    EventInbox inbox =
        switch (setUp.store()) {
          case H2 -> JdbcEventInbox.create(h2(setUp, dataDirectory, ";WRITE_DELAY=0"), options);
          case H2_DELAYED -> JdbcEventInbox.create(h2(setUp, dataDirectory, ""), options);
          case POSTGRES ->
              JdbcEventInbox.create(
                  postgres.database(setUp.label().replace('-', '_'), CONNECTIONS), options);
          case MEMORY, NONE -> new InMemoryEventInbox(options);
        };
    return new StripeWebhookFilter(config.build(), eventHandlers, inbox);
  }

  private DataSource h2(SetUp setUp, Path dataDirectory, String settings) {
    String url = "jdbc:h2:file:" + dataDirectory.resolve(setUp.label()).toAbsolutePath() + settings;
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
    pool.setMaxConnections(CONNECTIONS);
    pools.add(pool);
    return pool;
  }

  /**
   * Turns the delivery log on at its default level (INFO, as deployed) or silences it (WARNING) for
   * the set-ups that follow.
   */
  static void deliveryLog(boolean on) {
    DELIVERY_LOG.setLevel(on ? null : java.util.logging.Level.WARNING);
  }

  /** The URI of a set-up. */
  URI uri(SetUp setUp) {
    return server.getURI().resolve(setUp.path());
  }

  /** The port the server listens on. */
  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** How many events the handler of {@code setUp} has handled (0 when it has none). */
  long handled(SetUp setUp) {
    if (setUp == SetUp.JAXRS_TYPED) {
      return JaxrsTypedResource.handled();
    }
    BenchServlets.PaymentIntentHandler handler = handlers.get(setUp);
    return handler == null ? 0 : handler.handled();
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop();
    } finally {
      pools.forEach(JdbcConnectionPool::dispose);
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.delete(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
