// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * Two endpoints in one application on one database, as the README's platform + Connect set-up: each
 * its own secret, its own rows, its own workers. Before endpoints had names, each filter's workers
 * claimed the other's events and failed them as no longer verifying.
 */
class TwoEndpointsTest {
  static final String PLATFORM_SECRET = "whsec_two_endpoints_platform";
  static final String CONNECT_SECRET = "whsec_two_endpoints_connect";
  static final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  /** Counts runs by event id; a handler by class name, as web.xml names it. */
  public static final class Counting implements StripeEventHandler {
    @Override
    public Set<String> eventTypes() {
      return Set.of("*");
    }

    @Override
    public void handle(VerifiedEvent event) {
      runs.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
    }
  }

  static Map<String, String> endpoint(String name, String secret) {
    return Map.of(
        WebhookConfig.Keys.ENDPOINT,
        name,
        WebhookConfig.Keys.SECRETS,
        secret,
        WebhookConfig.Keys.PROCESSING,
        "async",
        WebhookConfig.Keys.ATTEMPTS,
        "1",
        WebhookConfig.Keys.HANDLERS,
        Counting.class.getName());
  }

  @Test
  void asyncEndpointsOnOneDatabaseHandleOnlyTheirOwnEventsWithTheirOwnSecrets() throws Exception {
    JdbcDataSource database = new JdbcDataSource();
    database.setURL("jdbc:h2:mem:two-endpoints;DB_CLOSE_DELAY=-1");
    try (JettyServer app =
        new JettyServer()
            .attribute(StripeWebhookFilter.DATASOURCE_ATTRIBUTE, database)
            .filter("/platform", StripeWebhookFilter.class, endpoint("platform", PLATFORM_SECRET))
            .filter("/connect", StripeWebhookFilter.class, endpoint("connect", CONNECT_SECRET))
            .start()) {
      WebhookSender platform = new WebhookSender(app.uri("/platform"), PLATFORM_SECRET);
      WebhookSender connect = new WebhookSender(app.uri("/connect"), CONNECT_SECRET);
      List<String> platformIds = new ArrayList<>();
      List<String> connectIds = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        var event = StripeFixtures.eventJson("invoice.paid");
        assertThat(platform.send(StripeFixtures.toBytes(event)).statusCode()).isEqualTo(200);
        platformIds.add(event.get("id").getAsString());
        event = StripeFixtures.eventJson("invoice.paid");
        assertThat(connect.send(StripeFixtures.toBytes(event)).statusCode()).isEqualTo(200);
        connectIds.add(event.get("id").getAsString());
      }
      EventInbox platformInbox =
          ((WebhookEndpoint)
                  app.contextAttribute(StripeWebhookFilter.ENDPOINT_ATTRIBUTE_PREFIX + "platform"))
              .inbox();
      EventInbox connectInbox =
          ((WebhookEndpoint)
                  app.contextAttribute(StripeWebhookFilter.ENDPOINT_ATTRIBUTE_PREFIX + "connect"))
              .inbox();
      awaitDone(platformInbox, platformIds);
      awaitDone(connectInbox, connectIds);
      for (String id : platformIds) {
        assertThat(connectInbox.find(id)).as("connect sees no platform event").isEmpty();
        assertThat(runs.get(id)).hasValue(1);
      }
      for (String id : connectIds) {
        assertThat(platformInbox.find(id)).isEmpty();
        assertThat(runs.get(id)).hasValue(1);
      }
      assertThat(platformInbox.countByStatus().get(InboxStatus.DEAD)).isZero();
      assertThat(connectInbox.countByStatus().get(InboxStatus.DEAD)).isZero();
    }
  }

  @Test
  void twoFiltersOfOneNameOnTheirOwnInboxesStopTheSecondAtStartUp() throws Exception {
    JettyServer app =
        new JettyServer()
            .filter("/a", StripeWebhookFilter.class, endpoint("same", PLATFORM_SECRET))
            .filter("/b", StripeWebhookFilter.class, endpoint("same", CONNECT_SECRET));
    try {
      app.start();
      throw new AssertionError("the second endpoint named 'same' started");
    } catch (Exception expected) {
      assertThat(expected)
          .hasStackTraceContaining(
              "stripe.webhook.endpoint: another filter" + " already runs the endpoint 'same'");
    } finally {
      app.close();
    }
  }

  static void awaitDone(EventInbox inbox, List<String> ids) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (String id : ids) {
      while (inbox.find(id).orElseThrow().status() != InboxStatus.DONE) {
        assertThat(System.nanoTime() - deadline).as(id + " done in time").isNegative();
        Thread.sleep(20);
      }
    }
  }
}
