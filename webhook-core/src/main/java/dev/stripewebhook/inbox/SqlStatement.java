// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** A SELECT built for its arguments, with its parameters; tests read its plan. */
record SqlStatement(String sql, Object[] parameters) {

  /** A statement with these parameters bound. */
  PreparedStatement prepare(Connection connection) throws SQLException {
    return Jdbc.prepare(connection, sql, parameters);
  }

  /** The same SELECT under {@code EXPLAIN}, which H2 and PostgreSQL both answer with its plan. */
  SqlStatement explain() {
    return new SqlStatement("EXPLAIN " + sql, parameters);
  }
}
