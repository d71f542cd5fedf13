// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EmbeddedPostgresExtension;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.inbox.TestPool;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two instances of one endpoint on one PostgreSQL, as a cluster behind a load balancer: copies of
 * one event arriving at both at once wait for the first one's outcome instead of 409.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class InstancesOnPostgresTest {
  static final String SECRET = "whsec_instances_on_postgres";

  @Test
  void twentyCopiesSplitOverTwoInstancesRunOnceAndAreAll200() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    StripeEventHandler slow =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("*");
          }

          @Override
          public void handle(VerifiedEvent event) throws InterruptedException {
            runs.incrementAndGet();
            Thread.sleep(300);
          }
        };
    WebhookConfig config = WebhookConfig.builder().secrets(SECRET).build();
    TestPool database = new TestPool(EmbeddedPostgresExtension.Server.currentDataSource());
    try (JettyServer one = instance(config, slow, database);
        JettyServer two = instance(config, slow, database)) {
      byte[] body = StripeFixtures.event("invoice.paid");
      ExecutorService pool = Executors.newFixedThreadPool(20);
      try {
        List<Callable<Integer>> copies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          JettyServer target = i % 2 == 0 ? one : two;
          copies.add(() -> new WebhookSender(target.uri("/hook"), SECRET).send(body).statusCode());
        }
        for (Future<Integer> status : pool.invokeAll(copies)) {
          assertThat(status.get()).isEqualTo(200);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(runs).hasValue(1);
    }
  }

  static JettyServer instance(WebhookConfig config, StripeEventHandler handler, TestPool database)
      throws Exception {
    return new JettyServer()
        .filter(
            "/hook",
            new StripeWebhookFilter(
                config,
                EventHandlers.of(handler),
                JdbcEventInbox.create(database, InboxOptions.defaults())))
        .start();
  }
}
