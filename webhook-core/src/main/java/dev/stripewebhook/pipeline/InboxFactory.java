// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.JdbcEventInbox;
import java.time.Duration;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/** The event inbox a configuration asks for, shared by the filter and the JAX-RS integration. */
final class InboxFactory {
  private InboxFactory() {}

  /**
   * The JDBC inbox on the DataSource {@link WebhookConfig.Keys#DATASOURCE} names in JNDI, else on
   * {@code given} when not null, else an inbox in memory.
   *
   * @throws IllegalArgumentException when the JNDI name does not lead to a DataSource
   */
  public static EventInbox create(WebhookConfig config, DataSource given) {
    InboxOptions options =
        InboxOptions.builder()
            .clock(config.verification().clock())
            .attempts(config.processing().attempts())
            .retention(Duration.ofDays(config.processing().retentionDays()))
            .endpoint(config.processing().endpoint())
            .capacity(config.processing().memoryCapacity())
            .build();
    if (config.processing().dataSource().isPresent()) {
      return JdbcEventInbox.create(lookup(config.processing().dataSource().get()), options);
    }
    return given != null ? JdbcEventInbox.create(given, options) : new InMemoryEventInbox(options);
  }

  private static DataSource lookup(String name) {
    String key = WebhookConfig.Keys.DATASOURCE;
    Object found;
    try {
      InitialContext context = new InitialContext();
      try {
        found = context.lookup(name);
      } catch (NamingException e) {
        if (name.startsWith("java:")) {
          throw e;
        }
        found = context.lookup("java:comp/env/" + name);
      }
    } catch (NamingException e) {
      throw new IllegalArgumentException(
          key
              + ": no DataSource named '"
              + name
              + "' in JNDI ("
              + e.getClass().getSimpleName()
              + "); declare it in the container (context.xml,"
              + " the datasources subsystem) or remove the key to keep events in memory",
          e);
    }
    if (!(found instanceof DataSource dataSource)) {
      throw new IllegalArgumentException(
          key
              + ": JNDI name '"
              + name
              + "' is a "
              + (found == null ? "null" : found.getClass().getName())
              + ", not a javax.sql.DataSource");
    }
    return dataSource;
  }
}
