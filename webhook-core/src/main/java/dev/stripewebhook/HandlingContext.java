// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * What a handler may use besides the event while the inbox processes it: today, the JDBC connection
 * of the inbox's transaction.
 *
 * <p>With the JDBC inbox, a handler that writes through {@link #connection()} commits its writes in
 * the same transaction as the inbox's "done" mark: both happen, or neither does, so the writes
 * happen exactly once. Do not commit, roll back or close that connection. For a delivery processed
 * in its request, the inbox opens it when a handler first asks for it, so a handler that never does
 * holds no database connection while it runs; async workers run a batch of events in one
 * transaction, open throughout. With the in-memory inbox, or without an inbox, there is no
 * connection.
 *
 * @since 0.1
 */
public final class HandlingContext {
  private static final HandlingContext NONE = new HandlingContext(null);
  private static final ThreadLocal<HandlingContext> CURRENT = new ThreadLocal<>();

  private final Opener opener; // null: no transaction to join

  private HandlingContext(Opener opener) {
    this.opener = opener;
  }

  /** Opens the connection of a transaction; see {@link #openedOnUse}. */
  @FunctionalInterface
  public interface Opener {
    /** The connection, the same one on every call. */
    Connection open() throws SQLException;
  }

  /** No transaction to join. */
  public static HandlingContext none() {
    return NONE;
  }

  /** The transaction on {@code connection}, which the caller commits or rolls back. */
  public static HandlingContext of(Connection connection) {
    Objects.requireNonNull(connection, "connection == null");
    return new HandlingContext(() -> connection);
  }

  /**
   * The transaction on the connection {@code opener} opens when {@link #connection()} is first
   * called, which the caller commits or rolls back: handling that does not ask for it holds no
   * connection while it runs.
   *
   * @since 0.2
   */
  public static HandlingContext openedOnUse(Opener opener) {
    return new HandlingContext(Objects.requireNonNull(opener, "opener == null"));
  }

  /**
   * The context of the event being handled on this thread, for code that is not handed one: a CDI
   * observer ({@code @Observes}, which runs on the dispatching thread) or a service it calls.
   * {@link #none()} outside handling and in {@code @ObservesAsync} observers.
   */
  public static HandlingContext current() {
    HandlingContext current = CURRENT.get();
    return current == null ? NONE : current;
  }

  /**
   * Makes {@code context} {@link #current()} on this thread until the returned scope closes: for
   * the doors that run application code (handlers, the servlet or resource behind a filter).
   */
  public static Scope enter(HandlingContext context) {
    HandlingContext previous = CURRENT.get();
    CURRENT.set(context);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** Ends {@link #enter}. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * The connection whose transaction marks the event done, when the inbox is JDBC.
   *
   * @throws IllegalStateException when the inbox's database gives no connection now (the attempt
   *     fails, and is tried again later), or when called after the event's handling ended (a
   *     context kept past it)
   */
  public Optional<Connection> connection() {
    if (opener == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(opener.open());
    } catch (SQLException e) {
      throw new IllegalStateException(
          "The event inbox's database gave no connection (SQL state " + e.getSQLState() + ")", e);
    }
  }
}
