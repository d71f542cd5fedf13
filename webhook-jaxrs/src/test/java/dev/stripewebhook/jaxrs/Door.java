// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.StripeClient;
import com.sun.net.httpserver.HttpServer;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.admin.StripeWebhookAdminServlet;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.jaxrs.DoorProcessing.Fault;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.recovery.EventRecovery;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.ws.rs.core.Application;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.jdbcx.JdbcDataSource;

/**
 * A way an event comes in, for {@link DoorGuaranteesTest}. Each door runs its own application on
 * embedded Jetty, started on first use, with its own {@link DoorProcessing} and the same
 * configuration: one signing secret, at most {@value #MAX_BODY} bytes, and time enough for a
 * concurrent copy of an event to wait for the first one's outcome. Not {@code AutoCloseable}: JUnit
 * would close a door after each test it is an argument of.
 */
abstract class Door {
  static final String SECRET = "whsec_door_guarantees";
  static final String PATH = "/webhooks/stripe";
  static final int MAX_BODY = 64 * 1024;

  /** An allow-list the tests' loopback address is not in (TEST-NET-3). */
  static final String ELSEWHERE = "203.0.113.0/24";

  /** The longest any wait for the application's threads lasts. */
  static final Duration PATIENCE = Duration.ofSeconds(30);

  final DoorProcessing processing = new DoorProcessing();
  private final String name;

  Door(String name) {
    this.name = name;
  }

  /** The configuration every door starts from. */
  static WebhookConfig.Builder config() {
    // The machine is shared with other builds: a concurrent copy waits long for the first.
    return WebhookConfig.builder()
        .secrets(SECRET)
        .maxBody(MAX_BODY)
        .inProgressWait(Duration.ofSeconds(20));
  }

  static String id(JsonObject event) {
    return event.get("id").getAsString();
  }

  /** The status of a record, or a line saying why there is none. */
  static String status(Optional<InboxRecord> record) {
    return record.map(found -> found.status().code()).orElse("absent");
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Stops the door's applications. */
  abstract void stop() throws Exception;

  @Override
  public String toString() {
    return name;
  }

  /** An HTTP answer read off a socket: the status line, the headers, a body of known length. */
  record RawAnswer(int status, Map<String, String> headers, String body) {
    static RawAnswer read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int next = in.read();
        if (next < 0) {
          throw new EOFException("the connection ended within the answer's headers: " + head);
        }
        head.write(next);
        matched = next == "\r\n\r\n".charAt(matched) ? matched + 1 : next == '\r' ? 1 : 0;
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
        }
      }
      String length = headers.get("Content-Length");
      byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
      return new RawAnswer(
          Integer.parseInt(lines[0].split(" ")[1]),
          headers,
          new String(body, StandardCharsets.UTF_8));
    }
  }

  /**
   * Sends only the headers of a delivery of {@code body} signed with {@code secret}, its length
   * declared, and reads the answer, which must not wait for the body. (Sent with it, a body over
   * the limit races the answer: the server closes with the body unread, and the reset can destroy
   * its answer in flight.)
   */
  static RawAnswer sendHeadersOnly(String host, int port, String path, String secret, byte[] body)
      throws Exception {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout((int) PATIENCE.toMillis());
      socket
          .getOutputStream()
          .write(
              ("POST "
                      + path
                      + " HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nContent-Type: application/json\r\nStripe-Signature: "
                      + SignedPayload.of(body).secret(secret).header()
                      + "\r\nContent-Length: "
                      + body.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return RawAnswer.read(socket.getInputStream());
    }
  }

  /** A door Stripe posts deliveries to, at {@value #PATH}. */
  abstract static class Http extends Door {
    private DoorApp app;
    private DoorApp elsewhere;
    private WebhookSender sender;

    Http(String name) {
      super(name);
    }

    /** Starts the door's application with this configuration. */
    abstract DoorApp start(WebhookConfig.Builder config) throws Exception;

    /** How its processing can fail: it throws; where it answers the request, it answers 500. */
    abstract Set<Fault> faults();

    /** Whether the door answers once the event is stored, and the workers process it later. */
    boolean async() {
      return false;
    }

    private synchronized DoorApp app() throws Exception {
      if (app == null) {
        app = start(config());
        sender = new WebhookSender(app.uri(PATH), SECRET);
      }
      return app;
    }

    /** Signs {@code body} now and posts it, as Stripe does. */
    HttpResponse<String> send(byte[] body) throws Exception {
      app();
      return sender.send(body);
    }

    /** Posts {@code body} with this {@code Stripe-Signature}. */
    HttpResponse<String> post(byte[] body, String signatureHeader) throws Exception {
      app();
      return sender.post(body, signatureHeader);
    }

    /** {@link Door#sendHeadersOnly(String, int, String, String, byte[])} to this door. */
    RawAnswer sendHeadersOnly(byte[] body) throws Exception {
      URI uri = app().uri(PATH);
      return Door.sendHeadersOnly(uri.getHost(), uri.getPort(), PATH, SECRET, body);
    }

    HttpResponse<String> get() throws Exception {
      DoorApp running = app();
      return running.client.send(
          HttpRequest.newBuilder(running.uri(PATH)).GET().timeout(PATIENCE).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    /** Signs and posts {@code body} to the door started with an allow-list we are not in. */
    HttpResponse<String> sendFromOutsideTheAllowList(byte[] body) throws Exception {
      synchronized (this) {
        if (elsewhere == null) {
          elsewhere = start(config().allowedIps(List.of(ELSEWHERE)));
        }
      }
      return new WebhookSender(elsewhere.uri(PATH), SECRET).send(body);
    }

    /**
     * The status of the event in the door's inbox: that of the endpoint the application publishes
     * as {@value StripeWebhookFilter#ENDPOINT_ATTRIBUTE_PREFIX}{@code default}.
     */
    String inboxStatus(String eventId) throws Exception {
      EventInbox inbox = inbox(app());
      if (inbox == null) {
        return "no inbox to see: no endpoint in the servlet context attribute "
            + StripeWebhookFilter.ENDPOINT_ATTRIBUTE_PREFIX
            + "default";
      }
      return status(inbox.find(eventId));
    }

    /** The endpoint the running application publishes as {@code default}, or null. */
    WebhookEndpoint endpoint() throws Exception {
      return app().endpoint("default");
    }

    /** The inbox of the running application's endpoint, or null when none can be seen. */
    EventInbox inbox(DoorApp app) {
      WebhookEndpoint endpoint = app.endpoint("default");
      return endpoint == null ? null : endpoint.inbox();
    }

    /** Waits, bounded, until the event has this status: the workers process after answering. */
    void awaitStatus(String eventId, InboxStatus wanted) throws Exception {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      String seen = inboxStatus(eventId);
      while (!seen.equals(wanted.code()) && System.nanoTime() - deadline < 0) {
        pause(20);
        seen = inboxStatus(eventId);
      }
      assertThat(seen)
          .as("%s: event %s in the inbox after %s", this, eventId, PATIENCE)
          .isEqualTo(wanted.code());
    }

    /** Returns once the event is processed: at once, unless the workers do it later. */
    void settle(String eventId) throws Exception {
      if (async()) {
        awaitStatus(eventId, InboxStatus.DONE);
      }
    }

    @Override
    synchronized void stop() throws Exception {
      try (DoorApp first = app;
          DoorApp second = elsewhere) {
        app = null;
        elsewhere = null;
      }
    }
  }

  /** The servlet filter: with handlers, passing down to the servlet behind, or async. */
  static final class Filter extends Http {
    enum Kind {
      HANDLERS,
      PASS_DOWN,
      ASYNC
    }

    private final Kind kind;

    Filter(String name, Kind kind) {
      super(name);
      this.kind = kind;
    }

    @Override
    DoorApp start(WebhookConfig.Builder config) throws Exception {
      DoorApp app = new DoorApp();
      EventHandlers handlers = EventHandlers.of(processing.handler());
      switch (kind) {
        case HANDLERS -> app.filter(PATH, new StripeWebhookFilter(config.build(), handlers));
        case PASS_DOWN ->
            app.filter(PATH, new StripeWebhookFilter(config.build(), EventHandlers.none()))
                .servlet(PATH, processing.servlet());
        case ASYNC -> {
          // Retried soon after a failure, so that a fixed fault shows within the tests' wait.
          InMemoryEventInbox inbox =
              new InMemoryEventInbox(
                  InboxOptions.builder()
                      .retryDelay(Duration.ofMillis(200))
                      .maxRetryDelay(Duration.ofSeconds(1))
                      .attempts(50)
                      .build());
          app.filter(
              PATH,
              new StripeWebhookFilter(
                  config.processing(WebhookConfig.Processing.ASYNC).attempts(50).build(),
                  handlers,
                  inbox));
        }
      }
      return app.start();
    }

    @Override
    Set<Fault> faults() {
      return kind == Kind.PASS_DOWN
          ? EnumSet.allOf(Fault.class)
          : EnumSet.of(Fault.THROWS_RUNTIME_EXCEPTION, Fault.THROWS_ASSERTION_ERROR);
    }

    @Override
    boolean async() {
      return kind == Kind.ASYNC;
    }
  }

  /** The JAX-RS providers, alone or behind the filter, on one runtime. */
  static final class Jaxrs extends Http {
    enum Runtime {
      JERSEY,
      RESTEASY
    }

    private final Runtime runtime;
    private final boolean behindTheFilter;
    private final Map<DoorApp, EventInbox> inboxes = new ConcurrentHashMap<>();

    Jaxrs(String name, Runtime runtime, boolean behindTheFilter) {
      super(name);
      this.runtime = runtime;
      this.behindTheFilter = behindTheFilter;
    }

    @Override
    DoorApp start(WebhookConfig.Builder config) throws Exception {
      WebhookConfig built = config.build();
      DoorApp app = new DoorApp().attribute(DoorProcessing.ATTRIBUTE, processing);
      if (behindTheFilter) {
        app.filter(PATH, new StripeWebhookFilter(built, EventHandlers.none()));
      } else {
        // Alone, the door's endpoint is its own, published nowhere: its inbox is seen through
        // the DataSource the application gives it.
        JdbcDataSource database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:door-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        app.attribute(StripeWebhookFilter.DATASOURCE_ATTRIBUTE, database);
        inboxes.put(app, JdbcEventInbox.create(database, InboxOptions.defaults()));
      }
      Application application = new DoorApplication(built);
      switch (runtime) {
        case JERSEY -> JerseyRuntime.deploy(app, application);
        case RESTEASY -> ResteasyRuntime.deploy(app, application);
      }
      return app.start();
    }

    @Override
    Set<Fault> faults() {
      return EnumSet.allOf(Fault.class);
    }

    @Override
    EventInbox inbox(DoorApp app) {
      return behindTheFilter ? super.inbox(app) : inboxes.get(app);
    }
  }

  /** Jersey's servlet; a class of its own, loaded only where Jersey is on the class path. */
  static final class JerseyRuntime {
    private JerseyRuntime() {}

    static void deploy(DoorApp app, Application application) {
      app.servlet(
          "/webhooks/*",
          new org.glassfish.jersey.servlet.ServletContainer(
              org.glassfish.jersey.server.ResourceConfig.forApplication(application)));
    }
  }

  /** RESTEasy's servlet; a class of its own, loaded only where RESTEasy is on the class path. */
  static final class ResteasyRuntime {
    private ResteasyRuntime() {}

    static void deploy(DoorApp app, Application application) {
      // As RESTEasy's own ResteasyBootstrap listener does: a deployment started with the
      // application, in the servlet context, where its servlet takes it. The way to give it an
      // Application instance rather than a class name.
      String key = org.jboss.resteasy.spi.ResteasyDeployment.class.getName();
      app.listener(
              new ServletContextListener() {
                @Override
                public void contextInitialized(ServletContextEvent event) {
                  org.jboss.resteasy.spi.ResteasyDeployment deployment =
                      new org.jboss.resteasy.core.ResteasyDeploymentImpl();
                  deployment.setApplication(application);
                  deployment
                      .getDefaultContextObjects()
                      .put(ServletContext.class, event.getServletContext());
                  deployment.start();
                  event.getServletContext().setAttribute(key, deployment);
                }

                @Override
                public void contextDestroyed(ServletContextEvent event) {
                  ((org.jboss.resteasy.spi.ResteasyDeployment)
                          event.getServletContext().getAttribute(key))
                      .stop();
                }
              })
          .servlet(
              "/webhooks/*",
              new org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher(),
              Map.of("resteasy.servlet.mapping.prefix", "/webhooks"));
    }
  }

  /**
   * A door that takes in an event without Stripe posting it: the admin console's replay of a stored
   * event, or recovery from Stripe's Events API. Its application has two endpoints: the {@code
   * default} one at {@value #PATH}, whose handlers are the processing, and {@value
   * #PASS_DOWN_ENDPOINT} at {@value #PASS_DOWN_PATH}, without handlers: the servlet behind it is
   * the processing.
   */
  abstract static class Stored extends Door {
    static final String PASS_DOWN_ENDPOINT = "connect";
    static final String PASS_DOWN_PATH = "/webhooks/connect";

    /** What the door said it did with the event. */
    enum Outcome {
      PROCESSED,
      FAILED,
      NOTHING_TO_DO,
      BUSY,
      NEEDS_A_DELIVERY
    }

    /** The door's outcome, and its answer as it gave it. */
    record Taken(Outcome outcome, String answer) {}

    private DoorApp app;
    private WebhookSender sender;
    private WebhookSender passDownSender;

    Stored(String name) {
      super(name);
    }

    /** Adds what the door needs to the application, before it starts. */
    abstract void addTo(DoorApp app) throws Exception;

    /** Puts the event where the door takes events from. */
    abstract void store(JsonObject event, boolean passDown) throws Exception;

    /** Takes the event in, as an operator would. */
    abstract Taken takeIn(String eventId, boolean passDown) throws Exception;

    synchronized DoorApp app() throws Exception {
      if (app == null) {
        DoorApp started =
            new DoorApp()
                .filter(
                    PATH,
                    new StripeWebhookFilter(
                        config().build(), EventHandlers.of(processing.handler())))
                .filter(
                    PASS_DOWN_PATH,
                    new StripeWebhookFilter(
                        config().endpoint(PASS_DOWN_ENDPOINT).build(), EventHandlers.none()))
                .servlet(PASS_DOWN_PATH, processing.servlet());
        addTo(started);
        app = started.start();
        sender = new WebhookSender(app.uri(PATH), SECRET);
        passDownSender = new WebhookSender(app.uri(PASS_DOWN_PATH), SECRET);
      }
      return app;
    }

    /** Stripe delivers the event to one of the two endpoints. */
    HttpResponse<String> deliver(JsonObject event, boolean passDown) throws Exception {
      app();
      return (passDown ? passDownSender : sender).send(StripeFixtures.toBytes(event));
    }

    WebhookEndpoint endpoint(boolean passDown) throws Exception {
      return app().endpoint(passDown ? PASS_DOWN_ENDPOINT : "default");
    }

    String inboxStatus(String eventId, boolean passDown) throws Exception {
      return status(endpoint(passDown).inbox().find(eventId));
    }

    @Override
    synchronized void stop() throws Exception {
      if (app != null) {
        app.close();
        app = null;
      }
    }
  }

  /**
   * The admin console's replay ({@code POST /admin/api/events/{id}/replay} with the session's CSRF
   * token), of an event a delivery left failed.
   */
  static final class Replay extends Stored {
    private String csrfToken;

    Replay(String name) {
      super(name);
    }

    @Override
    void addTo(DoorApp app) {
      app.servlet(
          "/admin/*",
          new StripeWebhookAdminServlet(),
          Map.of(StripeWebhookAdminServlet.OPEN_PARAMETER, "true"));
    }

    /** A delivery whose processing fails: the event is stored, failed, and replayable. */
    @Override
    void store(JsonObject event, boolean passDown) throws Exception {
      String id = id(event);
      processing.fail(id, passDown ? Fault.ANSWERS_500 : Fault.THROWS_RUNTIME_EXCEPTION);
      try {
        HttpResponse<String> failed = deliver(event, passDown);
        assertThat(failed.statusCode())
            .as("%s: the delivery that fails: %s", this, failed.body())
            .isEqualTo(500);
      } finally {
        processing.heal(id);
      }
      assertThat(inboxStatus(id, passDown)).isEqualTo(InboxStatus.FAILED.code());
    }

    /** One session, one token: concurrent replays must not each start a session. */
    private synchronized String csrfToken() throws Exception {
      if (csrfToken == null) {
        DoorApp running = app();
        HttpResponse<String> answer =
            running.client.send(
                HttpRequest.newBuilder(running.uri("/admin/api/csrf"))
                    .timeout(PATIENCE)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        csrfToken =
            JsonParser.parseString(answer.body()).getAsJsonObject().get("token").getAsString();
      }
      return csrfToken;
    }

    @Override
    Taken takeIn(String eventId, boolean passDown) throws Exception {
      String token = csrfToken();
      DoorApp running = app();
      HttpResponse<String> answer =
          running.client.send(
              HttpRequest.newBuilder(running.uri("/admin/api/events/" + eventId + "/replay"))
                  .header("X-CSRF-Token", token)
                  .timeout(PATIENCE)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      String said = answer.statusCode() + " " + answer.body();
      JsonObject json = JsonParser.parseString(answer.body()).getAsJsonObject();
      if (answer.statusCode() == 200) {
        String outcome = json.get("outcome").isJsonNull() ? "" : json.get("outcome").getAsString();
        return new Taken(
            switch (outcome) {
              case "done", "already_done", "superseded" -> Outcome.PROCESSED;
              case "busy" -> Outcome.BUSY;
              default -> Outcome.FAILED;
            },
            said);
      }
      assertThat(answer.statusCode()).as(said).isEqualTo(409);
      return new Taken(
          json.has("replayed") ? Outcome.NOTHING_TO_DO : Outcome.NEEDS_A_DELIVERY, said);
    }
  }

  /**
   * Recovery ({@link EventRecovery}) against a local server answering as Stripe's Events API: one
   * page with the events a test lists.
   */
  static final class Recovery extends Stored {
    private final List<JsonObject> listed = new CopyOnWriteArrayList<>();
    private StripeClient stripe;

    Recovery(String name) {
      super(name);
    }

    @Override
    void addTo(DoorApp app) throws Exception {
      HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      api.createContext(
          "/v1/events",
          exchange -> {
            JsonObject page = new JsonObject();
            page.addProperty("object", "list");
            JsonArray data = new JsonArray();
            listed.forEach(data::add);
            page.add("data", data);
            page.addProperty("has_more", false);
            page.addProperty("url", "/v1/events");
            byte[] bytes = page.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Request-Id", "req_door_guarantees");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
          });
      api.start();
      app.closing(() -> api.stop(0));
      stripe =
          StripeClient.builder()
              .setApiKey("sk_test_door_guarantees")
              .setApiBase("http://127.0.0.1:" + api.getAddress().getPort())
              .build();
    }

    /** Stripe's Events API lists these events, and only these. */
    void list(JsonObject... events) throws Exception {
      app();
      listed.clear();
      listed.addAll(List.of(events));
    }

    @Override
    void store(JsonObject event, boolean passDown) throws Exception {
      list(event);
    }

    @Override
    Taken takeIn(String eventId, boolean passDown) throws Exception {
      WebhookEndpoint endpoint = endpoint(passDown);
      EventRecovery.Report report =
          EventRecovery.create(stripe, endpoint.config(), endpoint)
              .run(
                  EventRecovery.Range.last(Duration.ofDays(1), Clock.systemUTC()),
                  EventRecovery.Options.all());
      Outcome outcome =
          report.failed() > 0
              ? Outcome.FAILED
              : report.awaitingDelivery() > 0
                  ? Outcome.NEEDS_A_DELIVERY
                  : report.busy() > 0
                      ? Outcome.BUSY
                      : report.processed() > 0 ? Outcome.PROCESSED : Outcome.NOTHING_TO_DO;
      return new Taken(outcome, report.toString());
    }
  }
}
