// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The shop's state: orders and subscriptions, in the database that holds the event inbox. Writes
 * take the caller's connection, so that they commit with the inbox's done mark.
 */
@ApplicationScoped
public class Shop {
  /** An order, with the Stripe events applied to it in the order they were applied. */
  public record Order(String id, String status, List<String> appliedEvents) {}

  /** A subscription's status as of the Stripe event that set it. */
  public record SubscriptionState(String id, String status, String customer, Instant asOf) {}

  @Inject DataSource dataSource;

  /** The shop's database, for writes outside an inbox transaction. */
  DataSource dataSource() {
    return dataSource;
  }

  /** Sets an order's status ({@code paid} or {@code failed}) and records the event applied. */
  public void applyPayment(Connection connection, String orderId, String status, String eventId)
      throws SQLException {
    if (update(connection, "UPDATE shop_order SET status = ? WHERE id = ?", status, orderId) == 0) {
      update(connection, "INSERT INTO shop_order (status, id) VALUES (?, ?)", status, orderId);
    }
    update(
        connection,
        "INSERT INTO shop_order_event (order_id, position, event_id)"
            + " SELECT ?, COALESCE(MAX(position), 0) + 1, ? FROM shop_order_event WHERE order_id = ?",
        orderId,
        eventId,
        orderId);
  }

  /** Applies a subscription state unless a newer event already set one. */
  public void applySubscription(Connection connection, SubscriptionState state)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE shop_subscription"
                + " SET status = ?, customer = ?, as_of = ? WHERE id = ? AND as_of <= ?")) {
      update.setString(1, state.status());
      update.setString(2, state.customer());
      update.setTimestamp(3, Timestamp.from(state.asOf()));
      update.setString(4, state.id());
      update.setTimestamp(5, Timestamp.from(state.asOf()));
      if (update.executeUpdate() > 0 || subscription(connection, state.id()).isPresent()) {
        return; // applied, or a newer event already did
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO shop_subscription"
                + " (id, status, customer, as_of) VALUES (?, ?, ?, ?)")) {
      insert.setString(1, state.id());
      insert.setString(2, state.status());
      insert.setString(3, state.customer());
      insert.setTimestamp(4, Timestamp.from(state.asOf()));
      insert.executeUpdate();
    }
  }

  /** An order, or empty when no event named it. */
  public Optional<Order> order(String orderId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      String status;
      try (PreparedStatement select =
          connection.prepareStatement("SELECT status FROM shop_order WHERE id = ?")) {
        select.setString(1, orderId);
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            return Optional.empty();
          }
          status = row.getString(1);
        }
      }
      List<String> applied = new ArrayList<>();
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT event_id FROM" + " shop_order_event WHERE order_id = ? ORDER BY position")) {
        select.setString(1, orderId);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            applied.add(rows.getString(1));
          }
        }
      }
      return Optional.of(new Order(orderId, status, List.copyOf(applied)));
    }
  }

  /** A subscription's latest known state. */
  public Optional<SubscriptionState> subscription(String id) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return subscription(connection, id);
    }
  }

  private static Optional<SubscriptionState> subscription(Connection connection, String id)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT status, customer, as_of FROM shop_subscription WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(
                new SubscriptionState(
                    id, row.getString(1), row.getString(2), row.getTimestamp(3).toInstant()))
            : Optional.empty();
      }
    }
  }

  private static int update(Connection connection, String sql, String... values)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setString(i + 1, values[i]);
      }
      return statement.executeUpdate();
    }
  }
}
