// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresEventInboxTest extends EventInboxContract {

  @Override
  EventInbox newInbox(InboxOptions options) throws Exception {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox");
      statement.execute("DROP TABLE IF EXISTS stripe_webhook_inbox_attempt");
    }
    return JdbcEventInbox.create(dataSource(), options);
  }

  @Override
  DataSource dataSource() {
    return EmbeddedPostgresExtension.Server.currentDataSource();
  }
}
