// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource that records the SQL run through it and refuses what a test says, as a database user
 * without some privilege would ({@code 42501}, PostgreSQL's "insufficient privilege").
 */
final class WatchedDataSource implements DataSource {
  private final DataSource target;
  private final List<String> statements = new CopyOnWriteArrayList<>();
  private volatile Predicate<String> refused = sql -> false;
  private final AtomicInteger open = new AtomicInteger();

  WatchedDataSource(DataSource target) {
    this.target = target;
  }

  /** Refuses from now on every statement for which {@code refused} holds. */
  WatchedDataSource refusing(Predicate<String> refused) {
    this.refused = refused;
    return this;
  }

  /** Every statement run or prepared so far, in order. */
  List<String> statements() {
    return List.copyOf(statements);
  }

  /** The statements so far that change the schema: CREATE, ALTER, DROP. */
  List<String> ddl() {
    return statements.stream()
        .filter(
            sql -> {
              String verb = sql.strip().toUpperCase(Locale.ROOT);
              return verb.startsWith("CREATE")
                  || verb.startsWith("ALTER")
                  || verb.startsWith("DROP");
            })
        .toList();
  }

  /** How many connections it gave are not closed yet. */
  int open() {
    return open.get();
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection connection = target.getConnection();
    open.incrementAndGet();
    AtomicBoolean closed = new AtomicBoolean();
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("prepareStatement")) {
                check((String) args[0]);
              }
              if (method.getName().equals("close") && closed.compareAndSet(false, true)) {
                open.decrementAndGet();
              }
              Object result = invoke(connection, method, args);
              return result instanceof Statement statement
                      && !method.getName().startsWith("prepare")
                  ? watched(statement)
                  : result;
            });
  }

  private Statement watched(Statement statement) {
    return (Statement)
        Proxy.newProxyInstance(
            Statement.class.getClassLoader(),
            new Class<?>[] {Statement.class},
            (proxy, method, args) -> {
              if (method.getName().startsWith("execute")
                  && args != null
                  && args.length > 0
                  && args[0] instanceof String sql) {
                check(sql);
              }
              return invoke(statement, method, args);
            });
  }

  private void check(String sql) throws SQLException {
    statements.add(sql);
    if (refused.test(sql)) {
      throw new SQLException("permission denied for schema public", "42501");
    }
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public Connection getConnection(String user, String password) {
    throw new UnsupportedOperationException();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getGlobal();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }
}
