// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.benchmarks.http.InboxFloorBenchmark.Variant;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

/** A short turn of each variant of the database floor benchmark on H2, so that it keeps working. */
class InboxFloorBenchmarkSmokeTest {

  @Test
  void everyVariantStoresEventsAndMarksThemDone() throws Exception {
    try (InboxFloorBenchmark.Stores stores =
        new InboxFloorBenchmark.Stores("h2", Path.of("target/inbox-floor-smoke"), 2)) {
      for (Variant variant : Variant.values()) {
        JdbcConnectionPool pool = stores.fresh(variant.name().toLowerCase(Locale.ROOT));
        try {
          double perSecond = InboxFloorBenchmark.turn(variant, pool, 2, 1);

          assertThat(perSecond).as(variant.description).isPositive();
          try (Connection connection = pool.getConnection();
              Statement statement = connection.createStatement();
              ResultSet rows =
                  statement.executeQuery(
                      "SELECT COUNT(*), COUNT(CASE WHEN status = 'done' THEN 1 END)"
                          + " FROM stripe_webhook_inbox")) {
            rows.next();
            assertThat(rows.getLong(1)).as(variant.description).isPositive();
            assertThat(rows.getLong(2)).as(variant.description).isEqualTo(rows.getLong(1));
          }
        } finally {
          pool.dispose();
        }
      }
    }
  }
}
