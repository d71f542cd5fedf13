// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * The inbox's connection as handlers see it: everything works except ending the transaction, which
 * the inbox does together with the done mark. A handler that committed on its own would make its
 * writes survive a failed done mark, and happen twice.
 */
final class TransactionGuard {
  private static final Set<String> REFUSED =
      Set.of("commit", "rollback", "close", "setAutoCommit", "abort");

  private TransactionGuard() {}

  static Connection wrap(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              // rollback(Savepoint) stays allowed: it does not end the transaction.
              if (REFUSED.contains(method.getName())
                  && !(method.getName().equals("rollback") && args != null && args.length == 1)) {
                throw new SQLException(
                    "Connection."
                        + method.getName()
                        + "() is not for handlers:"
                        + " the event inbox commits this transaction with the event's done mark, or rolls"
                        + " it back when a handler throws");
              }
              try {
                return method.invoke(connection, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
