// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.sql.Connection;
import java.util.Objects;
import java.util.Optional;

/**
 * What a handler may use besides the event while the inbox processes it: today, the JDBC
 * connection of the inbox's transaction.
 *
 * <p>With the JDBC inbox, a handler that writes through {@link #connection()} commits its writes
 * in the same transaction as the inbox's "done" mark: both happen, or neither does, so the writes
 * happen exactly once. Do not commit, roll back or close that connection. With the in-memory
 * inbox, or without an inbox, there is no connection.
 *
 * @since 0.1
 */
public final class HandlingContext {
  private static final HandlingContext NONE = new HandlingContext(null);

  private final Connection connection;

  private HandlingContext(Connection connection) {
    this.connection = connection;
  }

  /** No transaction to join. */
  public static HandlingContext none() {
    return NONE;
  }

  /** The transaction on {@code connection}, which the caller commits or rolls back. */
  public static HandlingContext of(Connection connection) {
    return new HandlingContext(Objects.requireNonNull(connection, "connection == null"));
  }

  /** The connection whose transaction marks the event done, when the inbox is JDBC. */
  public Optional<Connection> connection() {
    return Optional.ofNullable(connection);
  }
}
