// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * A handler that restores an interrupt it caught leaves the thread interrupted: the inbox's commit
 * after it must still work. On an H2 file database an interrupted write closes the whole database,
 * failing every event's attempt until a restart.
 */
class InterruptedHandlerTest {
  static final String SECRET = "whsec_interrupted_handler";

  @Test
  void anInterruptLeftByAHandlerFailsNothingAndTheEventIsDone() throws Exception {
    Path directory = Files.createTempDirectory("interrupted-handler");
    JdbcDataSource database = new JdbcDataSource();
    database.setURL("jdbc:h2:" + directory.resolve("inbox") + ";WRITE_DELAY=0");
    EventInbox inbox = JdbcEventInbox.create(database, InboxOptions.defaults());
    StripeEventHandler restoresInterrupt =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("invoice.paid");
          }

          @Override
          public void handle(VerifiedEvent event) {
            Thread.currentThread().interrupt(); // as after catching InterruptedException
          }
        };
    try (JettyServer app =
        new JettyServer()
            .filter(
                "/hook",
                new StripeWebhookFilter(
                    WebhookConfig.builder().secrets(SECRET).build(),
                    EventHandlers.of(restoresInterrupt),
                    inbox))
            .start()) {
      WebhookSender sender = new WebhookSender(app.uri("/hook"), SECRET);
      byte[] interrupting = StripeFixtures.event("invoice.paid");
      byte[] next = StripeFixtures.event("customer.created");
      assertThat(sender.send(interrupting).statusCode()).isEqualTo(200);
      assertThat(sender.send(next).statusCode()).isEqualTo(200);
      assertThat(inbox.find(id(interrupting)).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
      assertThat(inbox.find(id(next)).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
    }
  }

  static String id(byte[] body) {
    return com.google.gson.JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
        .getAsJsonObject()
        .get("id")
        .getAsString();
  }
}
