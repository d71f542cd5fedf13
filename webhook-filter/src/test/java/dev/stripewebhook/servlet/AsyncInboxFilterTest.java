// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.DelegatingInbox;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.inbox.MutableClock;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.ServletException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Async processing: stored, answered 200, then handled by the filter's workers. */
class AsyncInboxFilterTest {
  static final String SECRET = "whsec_async_filter_test";
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
  static final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  static final BlockingQueue<String> handled = new LinkedBlockingQueue<>();
  static final AtomicInteger failuresLeft = new AtomicInteger();
  static final AtomicBoolean storageDown = new AtomicBoolean();
  static EventInbox inbox;
  static StripeWebhookFilter filter;
  static JettyServer server;

  @BeforeAll
  static void start() throws Exception {
    JdbcDataSource database = new JdbcDataSource();
    database.setURL("jdbc:h2:mem:async-filter;DB_CLOSE_DELAY=-1");
    inbox =
        new DelegatingInbox(
            JdbcEventInbox.create(
                database,
                InboxOptions.builder()
                    .clock(clock)
                    .attempts(3)
                    .retryDelay(Duration.ofSeconds(10))
                    .jitter(() -> 0.5)
                    .build())) {
          @Override
          public Receipt receive(VerifiedEvent event, String header, String address)
              throws InboxException {
            if (storageDown.get()) {
              throw new InboxException("database down");
            }
            return super.receive(event, header, address);
          }
        };
    WebhookConfig config =
        WebhookConfig.builder()
            .secrets(SECRET)
            .processing(WebhookConfig.Processing.ASYNC)
            .attempts(3)
            .build();
    filter =
        new StripeWebhookFilter(
            config,
            EventHandlers.of(
                new StripeEventHandler() {
                  @Override
                  public Set<String> eventTypes() {
                    return Set.of("*");
                  }

                  @Override
                  public void handle(VerifiedEvent event) {
                    runs.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
                    if (event.type().equals("invoice.payment_failed")
                        && failuresLeft.getAndDecrement() > 0) {
                      handled.add(event.id() + " failed");
                      throw new IllegalStateException("ledger down");
                    }
                    handled.add(event.id() + " on " + Thread.currentThread().getName());
                  }
                }),
            inbox);
    server = new JettyServer().filter("/hook", filter).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void answers200OnceStoredAndAWorkerThreadRunsTheHandler() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    HttpResponse<String> response = post(body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(inbox.find(InboxFilterTest.id(body))).isPresent();
    assertThat(nextHandled()).startsWith(InboxFilterTest.id(body) + " on stripe-webhook-inbox-");
    InboxRecord record = awaitStatus(body, InboxStatus.DONE);
    assertThat(record.attempts()).isEqualTo(1);
  }

  @Test
  void aRedeliveryAfterDoneIsAnswered200AndNotHandledAgain() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    post(body);
    nextHandled();
    awaitStatus(body, InboxStatus.DONE);

    assertThat(post(body).statusCode()).isEqualTo(200);
    filter.endpoint().workers().runDue();
    assertThat(runs.get(InboxFilterTest.id(body))).hasValue(1);
  }

  @Test
  void aFailingHandlerIsRetriedWithBackoffByTheWorkers() throws Exception {
    failuresLeft.set(1);
    byte[] body = StripeFixtures.event("invoice.payment_failed");
    assertThat(post(body).statusCode()).isEqualTo(200);
    assertThat(nextHandled()).endsWith(" failed");
    InboxRecord failed = awaitStatus(body, InboxStatus.FAILED);
    assertThat(failed.lastError()).contains("ledger down");
    assertThat(failed.nextAttemptAt()).isEqualTo(clock.instant().plusMillis(7_500));

    assertThat(filter.endpoint().workers().runDue()).as("not due yet").isZero();
    clock.advance(Duration.ofMillis(7_500));
    filter.endpoint().workers().wake();
    assertThat(nextHandled()).startsWith(InboxFilterTest.id(body) + " on ");
    assertThat(awaitStatus(body, InboxStatus.DONE).attempts()).isEqualTo(2);
  }

  @Test
  void anEventThatCannotBeStoredIsAnswered503() throws Exception {
    storageDown.set(true);
    try {
      byte[] body = StripeFixtures.event("invoice.paid");
      StripeWebhookFilterTest.assertProblem(post(body), 503, "storage-unavailable");
    } finally {
      storageDown.set(false);
    }
  }

  @Test
  void asyncWithoutHandlersFailsAtStartup() {
    // Not by class name: the test classpath registers a handler through META-INF/services.
    JettyServer broken =
        new JettyServer()
            .filter(
                "/hook",
                new StripeWebhookFilter(
                    WebhookConfig.builder()
                        .secrets(SECRET)
                        .processing(WebhookConfig.Processing.ASYNC)
                        .build(),
                    EventHandlers.none()));
    try {
      assertThatThrownBy(broken::start)
          .isInstanceOf(ServletException.class)
          .hasMessageContaining("stripe.webhook.processing: async needs handlers");
    } finally {
      try {
        broken.close();
      } catch (Exception ignored) {
        // it never started
      }
    }
  }

  @Test
  void destroyStopsTheWorkerThreads() throws Exception {
    JdbcDataSource database = new JdbcDataSource();
    database.setURL("jdbc:h2:mem:async-destroy;DB_CLOSE_DELAY=-1");
    StripeWebhookFilter own =
        new StripeWebhookFilter(
            WebhookConfig.builder()
                .secrets(SECRET)
                .processing(WebhookConfig.Processing.ASYNC)
                .build(),
            EventHandlers.of(
                new StripeEventHandler() {
                  @Override
                  public Set<String> eventTypes() {
                    return Set.of("*");
                  }

                  @Override
                  public void handle(VerifiedEvent event) {}
                }),
            JdbcEventInbox.create(database, InboxOptions.defaults()));
    JettyServer started = new JettyServer().filter("/hook", own).start();
    assertThat(own.endpoint().workers().isTerminated()).isFalse();
    started.close();
    assertThat(own.endpoint().workers().isTerminated()).isTrue();
  }

  // --- helpers ------------------------------------------------------------------------------

  static String nextHandled() throws InterruptedException {
    String next = handled.poll(30, TimeUnit.SECONDS);
    assertThat(next).as("a handler ran within 30 s").isNotNull();
    return next;
  }

  /** The handler has returned; the done or failed mark follows in the same worker. */
  static InboxRecord awaitStatus(byte[] body, InboxStatus status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    InboxRecord record;
    do {
      record = inbox.find(InboxFilterTest.id(body)).orElseThrow();
      if (record.status() == status) {
        return record;
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    throw new AssertionError("still " + record.status() + ", expected " + status);
  }

  static HttpResponse<String> post(byte[] body) throws Exception {
    return new WebhookSender(server.uri("/hook"), SECRET).send(body);
  }
}
