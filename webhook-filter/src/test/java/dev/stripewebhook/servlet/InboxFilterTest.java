// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The filter with the event inbox, sync processing, over real HTTP on embedded Jetty 12. */
class InboxFilterTest {
  static final String SECRET = "whsec_inbox_filter_test";
  static final HttpClient client = HttpClient.newHttpClient();
  static final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  static final AtomicInteger failuresLeft = new AtomicInteger();
  static volatile CountDownLatch entered = new CountDownLatch(0);
  static volatile CountDownLatch release = new CountDownLatch(0);
  static final AtomicInteger servletCalls = new AtomicInteger();
  static JdbcDataSource database;
  static EventInbox h2Inbox;
  static EventInbox memoryInbox;
  static JettyServer server;

  /** Each filter of the test application is an endpoint of its own. */
  private static WebhookConfig named(String endpoint) {
    return WebhookConfig.builder().secrets(SECRET).endpoint(endpoint).build();
  }

  @BeforeAll
  static void start() throws Exception {
    database = new JdbcDataSource();
    database.setURL("jdbc:h2:mem:inbox-filter;DB_CLOSE_DELAY=-1");
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE ledger (event_id VARCHAR(255) PRIMARY KEY)");
    }
    h2Inbox = JdbcEventInbox.create(database, InboxOptions.defaults());
    memoryInbox = new InMemoryEventInbox(InboxOptions.defaults());
    JdbcDataSource unreachable = new JdbcDataSource();
    unreachable.setURL("jdbc:h2:mem:unreachable;IFEXISTS=TRUE");

    WebhookConfig config = WebhookConfig.builder().secrets(SECRET).build();
    EventHandlers handlers =
        EventHandlers.of(
            handler("invoice.paid", (event, context) -> count(event)),
            handler(
                "invoice.payment_failed",
                (event, context) -> {
                  count(event);
                  if (failuresLeft.getAndDecrement() > 0) {
                    throw new IllegalStateException("ledger down");
                  }
                }),
            handler(
                "customer.created",
                (event, context) -> {
                  entered.countDown();
                  release.await(30, TimeUnit.SECONDS);
                  count(event);
                }),
            handler("charge.succeeded", InboxFilterTest::writeLedger),
            handler(
                "charge.failed",
                (event, context) -> {
                  writeLedger(event, context);
                  throw new IllegalStateException("after the ledger write");
                }));
    server =
        new JettyServer()
            .filter("/h2/*", new StripeWebhookFilter(named("h2"), handlers, h2Inbox))
            .filter(
                "/down/*",
                new StripeWebhookFilter(named("down"), EventHandlers.none(), memoryInbox))
            .servlet("/down/*", new AnswerServlet())
            .filter(
                "/broken/*",
                new StripeWebhookFilter(
                    named("broken"),
                    handlers,
                    JdbcEventInbox.create(unreachable, InboxOptions.defaults())))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void aRedeliveryOfADoneEventIsAnswered200WithoutRunningTheHandlerAgain() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    assertThat(post("/h2/hook", body).statusCode()).isEqualTo(200);
    HttpResponse<String> again = post("/h2/hook", body);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("{\"received\":true}");
    assertThat(runs(body)).isEqualTo(1);
    InboxRecord record = h2Inbox.find(id(body)).orElseThrow();
    assertThat(record.status()).isEqualTo(InboxStatus.DONE);
    assertThat(record.body()).isEqualTo(body);
    assertThat(record.clientAddress()).isEqualTo("127.0.0.1");
    assertThat(record.signatureHeader()).startsWith("t=");
  }

  @Test
  void aFailedHandlerIsAnswered500AndRecordedAndTheRedeliveryRunsItAgain() throws Exception {
    failuresLeft.set(1);
    byte[] body = StripeFixtures.event("invoice.payment_failed");
    HttpResponse<String> first = post("/h2/hook", body);
    StripeWebhookFilterTest.assertProblem(first, 500, "handler-failed");
    InboxRecord failed = h2Inbox.find(id(body)).orElseThrow();
    assertThat(failed.status()).isEqualTo(InboxStatus.FAILED);
    assertThat(failed.lastError()).contains("ledger down");

    assertThat(post("/h2/hook", body).statusCode()).isEqualTo(200);
    assertThat(runs(body)).isEqualTo(2);
    assertThat(h2Inbox.find(id(body)).orElseThrow().status()).isEqualTo(InboxStatus.DONE);
  }

  @Test
  void aConcurrentRedeliveryIsAnswered409WhileTheFirstIsProcessed() throws Exception {
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    byte[] body = StripeFixtures.event("customer.created");
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(request("/h2/hook", body), HttpResponse.BodyHandlers.ofString());
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

    HttpResponse<String> concurrent = post("/h2/hook", body);
    release.countDown();

    StripeWebhookFilterTest.assertProblem(concurrent, 409, "event-in-progress");
    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(post("/h2/hook", body).statusCode()).isEqualTo(200);
    assertThat(runs(body)).isEqualTo(1);
  }

  @Test
  void anEventThatCannotBeStoredIsAnswered503AndNotHandled() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    StripeWebhookFilterTest.assertProblem(post("/broken/hook", body), 503, "storage-unavailable");
    assertThat(runs(body)).isZero();
  }

  @Test
  void handlerWritesThroughTheContextCommitWithTheDoneMarkOrNotAtAll() throws Exception {
    byte[] committed = StripeFixtures.event("charge.succeeded");
    byte[] rolledBack = StripeFixtures.event("charge.failed");
    assertThat(post("/h2/hook", committed).statusCode()).isEqualTo(200);
    StripeWebhookFilterTest.assertProblem(post("/h2/hook", rolledBack), 500, "handler-failed");

    assertThat(ledger()).contains(id(committed)).doesNotContain(id(rolledBack));
  }

  @Test
  void withoutHandlersTheServletsStatusDecidesDoneOrFailed() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    assertThat(post("/down/500", body).statusCode()).isEqualTo(500);
    assertThat(memoryInbox.find(id(body)).orElseThrow().status()).isEqualTo(InboxStatus.FAILED);
    assertThat(memoryInbox.find(id(body)).orElseThrow().lastError()).contains("answered 500");

    assertThat(post("/down/204", body).statusCode()).isEqualTo(204);
    assertThat(memoryInbox.find(id(body)).orElseThrow().status()).isEqualTo(InboxStatus.DONE);

    int calls = servletCalls.get();
    HttpResponse<String> again = post("/down/500", body);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(servletCalls.get()).isEqualTo(calls);
  }

  /** An inbox that runs the work, then fails to record its outcome (the commit fails). */
  static EventInbox markFails() {
    return new dev.stripewebhook.inbox.DelegatingInbox(
        new InMemoryEventInbox(InboxOptions.defaults())) {
      @Override
      public Outcome process(String eventId, String owner, Work work)
          throws dev.stripewebhook.inbox.InboxException {
        super.process(eventId, owner, work);
        throw new dev.stripewebhook.inbox.InboxException("commit failed");
      }
    };
  }

  @Test
  void theServletsAnswerWaitsForTheDoneMarkAndA503ReplacesItWhenTheMarkFails() throws Exception {
    EventInbox markFails = markFails();
    try (JettyServer app =
        new JettyServer()
            .filter(
                "/hook/*",
                new StripeWebhookFilter(
                    WebhookConfig.builder().secrets(SECRET).build(),
                    EventHandlers.none(),
                    markFails))
            .servlet("/hook/*", new AnswerServlet())
            .start()) {
      byte[] body = StripeFixtures.event("invoice.paid");
      HttpResponse<String> response =
          new WebhookSender(app.uri("/hook/context"), SECRET).send(body);

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body())
          .contains("storage-unavailable")
          .doesNotContain("context without connection");
    }
  }

  @Test
  void aSuccessSentThroughSendErrorAlsoWaitsForTheDoneMark() throws Exception {
    EventInbox markFails = markFails();
    HttpServlet sendsErrorOk =
        new HttpServlet() {
          @Override
          protected void doPost(HttpServletRequest request, HttpServletResponse response)
              throws java.io.IOException {
            response.sendError(200); // odd, but it must not commit a 2xx before the mark
          }
        };
    try (JettyServer app =
        new JettyServer()
            .filter(
                "/hook/*",
                new StripeWebhookFilter(
                    WebhookConfig.builder().secrets(SECRET).build(),
                    EventHandlers.none(),
                    markFails))
            .servlet("/hook/*", sendsErrorOk)
            .start()) {
      byte[] body = StripeFixtures.event("invoice.paid");
      HttpResponse<String> response = new WebhookSender(app.uri("/hook/x"), SECRET).send(body);
      assertThat(response.statusCode()).isEqualTo(503);
    }
  }

  @Test
  void anAsynchronousServletBehindTheFilterStillGetsItsAnswerOut() throws Exception {
    HttpServlet later =
        new HttpServlet() {
          @Override
          protected void service(HttpServletRequest request, HttpServletResponse response)
              throws java.io.IOException {
            java.io.PrintWriter writer = response.getWriter();
            writer.write("written at once, ");
            jakarta.servlet.AsyncContext async = request.startAsync(request, response);
            async.start(
                () -> {
                  try {
                    Thread.sleep(100);
                    writer.write("written later");
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  } finally {
                    async.complete();
                  }
                });
          }
        };
    try (JettyServer app =
        new JettyServer()
            .filter(
                "/hook/*",
                new StripeWebhookFilter(
                    WebhookConfig.builder().secrets(SECRET).build(),
                    EventHandlers.none(),
                    new InMemoryEventInbox(InboxOptions.defaults())))
            .servlet("/hook/*", later, true)
            .start()) {
      byte[] body = StripeFixtures.event("invoice.paid");
      HttpResponse<String> response = new WebhookSender(app.uri("/hook/x"), SECRET).send(body);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("written at once, written later");
    }
  }

  @Test
  void theServletBehindTheFilterGetsTheHandlingContext() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    HttpResponse<String> response = post("/down/context", body);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("context without connection");
  }

  @Test
  void aDataSourceInTheContextAttributeHoldsTheInboxAndTheProcessorIsPublished() throws Exception {
    JdbcDataSource own = new JdbcDataSource();
    own.setURL("jdbc:h2:mem:context-attribute;DB_CLOSE_DELAY=-1");
    try (JettyServer app =
        new JettyServer()
            .attribute(StripeWebhookFilter.DATASOURCE_ATTRIBUTE, own)
            .filter(
                "/hook",
                StripeWebhookFilter.class,
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    SECRET,
                    WebhookConfig.Keys.HANDLERS,
                    CountingHandler.class.getName(),
                    WebhookConfig.Keys.ENDPOINT,
                    "default"))
            .start()) {
      byte[] body = StripeFixtures.event("invoice.paid");
      HttpResponse<String> response = new WebhookSender(app.uri("/hook"), SECRET).send(body);
      assertThat(response.statusCode()).isEqualTo(200);
      String id = id(body);
      EventInbox stored = JdbcEventInbox.create(own, InboxOptions.defaults());
      assertThat(stored.find(id))
          .hasValueSatisfying(record -> assertThat(record.status()).isEqualTo(InboxStatus.DONE));

      var processor =
          (dev.stripewebhook.inbox.StoredEventProcessor)
              app.contextAttribute(dev.stripewebhook.inbox.StoredEventProcessor.ATTRIBUTE);
      assertThat(processor.processesDueEvents()).isFalse();
      assertThat(processor.process(id)).isEqualTo(EventInbox.Outcome.ALREADY_DONE);
      assertThat(runs.get(id)).hasValue(1);
    }
  }

  /** Counts like the other handlers, for the configuration by class name. */
  public static final class CountingHandler implements StripeEventHandler {
    @Override
    public Set<String> eventTypes() {
      return Set.of("invoice.paid");
    }

    @Override
    public void handle(VerifiedEvent event) {
      count(event);
    }
  }

  @Test
  void failsAtStartupWhenTheDataSourceIsNotInJndi() {
    JettyServer broken =
        new JettyServer()
            .filter(
                "/hook",
                StripeWebhookFilter.class,
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    SECRET,
                    WebhookConfig.Keys.DATASOURCE,
                    "jdbc/stripe"));
    try {
      assertThatThrownBy(broken::start)
          .isInstanceOf(ServletException.class)
          .hasMessageContaining("stripe.webhook.datasource: no DataSource named 'jdbc/stripe'");
    } finally {
      try {
        broken.close();
      } catch (Exception ignored) {
        // it never started
      }
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  interface Body {
    void handle(VerifiedEvent event, HandlingContext context) throws Exception;
  }

  static StripeEventHandler handler(String type, Body body) {
    return new StripeEventHandler() {
      @Override
      public Set<String> eventTypes() {
        return Set.of(type);
      }

      @Override
      public void handle(VerifiedEvent event) {
        throw new AssertionError("the filter passes the handling context");
      }

      @Override
      public void handle(VerifiedEvent event, HandlingContext context) throws Exception {
        body.handle(event, context);
      }
    };
  }

  static void count(VerifiedEvent event) {
    runs.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
  }

  static int runs(byte[] body) {
    AtomicInteger count = runs.get(id(body));
    return count == null ? 0 : count.get();
  }

  static String id(byte[] body) {
    return com.google.gson.JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
        .getAsJsonObject()
        .get("id")
        .getAsString();
  }

  static void writeLedger(VerifiedEvent event, HandlingContext context) throws SQLException {
    try (PreparedStatement insert =
        context
            .connection()
            .orElseThrow()
            .prepareStatement("INSERT INTO ledger (event_id) VALUES (?)")) {
      insert.setString(1, event.id());
      insert.executeUpdate();
    }
  }

  static List<String> ledger() throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT event_id FROM ledger")) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }

  static HttpRequest request(String path, byte[] body) {
    return WebhookSender.request(server.uri(path), SignedPayload.of(body).secret(SECRET)).build();
  }

  static HttpResponse<String> post(String path, byte[] body) throws Exception {
    return client.send(request(path, body), HttpResponse.BodyHandlers.ofString());
  }

  /** Answers with the status its path names; /context reports the handling context. */
  static final class AnswerServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws java.io.IOException {
      servletCalls.incrementAndGet();
      String path = request.getPathInfo().substring(1);
      if (path.equals("context")) {
        Object context = request.getAttribute(StripeWebhookFilter.HANDLING_CONTEXT_ATTRIBUTE);
        response
            .getWriter()
            .write(
                context instanceof HandlingContext handling && handling.connection().isEmpty()
                    ? "context without connection"
                    : "no context");
        return;
      }
      response.setStatus(Integer.parseInt(path));
    }
  }
}
