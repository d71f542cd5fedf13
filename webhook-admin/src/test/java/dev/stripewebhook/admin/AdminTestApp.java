// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import com.google.gson.JsonObject;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An application on embedded Jetty with the filter at {@code /hook} (handlers that count their runs
 * and fail for chosen events) and the admin console at {@code /admin/*}, found through the servlet
 * context attribute as in a WAR; plus an HTTP client that keeps the session cookie.
 *
 * <p>A filter in front of the console logs requests in as a container would: as {@link #user} with
 * {@link #roles} ({@value #USER} in {@value StripeWebhookAdminServlet#DEFAULT_ROLE} unless a test
 * changes them), or, with {@code user} null, not at all.
 */
final class AdminTestApp implements AutoCloseable {
  static final String SECRET = "whsec_admin_console";
  static final String USER = "ops-alice";
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  /** The user the admin requests are authenticated as, or null for none. */
  volatile String user = USER;

  /** That user's roles. */
  volatile Set<String> roles = Set.of(StripeWebhookAdminServlet.DEFAULT_ROLE);

  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  final Set<String> failing = ConcurrentHashMap.newKeySet();

  /** What a failing handler throws; markup in it must reach pages escaped. */
  volatile String failure = "ledger down <img src=x onerror=alert(1)>";

  private final Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
  private final HttpClient client =
      HttpClient.newBuilder()
          .cookieHandler(new CookieManager())
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final WebhookSender sender;
  private final WebhookSender connectSender;

  /** What the servlet behind the second endpoint, "connect" (no handlers), answers. */
  volatile int connectAnswer = 200;

  final AtomicInteger connectCalls = new AtomicInteger();

  AdminTestApp(WebhookConfig.Processing processing) throws Exception {
    this(processing, new StripeWebhookAdminServlet());
  }

  /** With this console, e.g. one that recovers from a local Events API. */
  AdminTestApp(WebhookConfig.Processing processing, StripeWebhookAdminServlet console)
      throws Exception {
    this(processing, console, Map.of(), Map.of());
  }

  /** With this console and these init parameters of the servlet and of the servlet context. */
  AdminTestApp(
      WebhookConfig.Processing processing,
      StripeWebhookAdminServlet console,
      Map<String, String> initParameters,
      Map<String, String> contextParameters)
      throws Exception {
    this(processing, console, initParameters, contextParameters, null);
  }

  /** As above, the filter storing in {@code inbox} (null: the configuration's, in memory). */
  AdminTestApp(
      WebhookConfig.Processing processing,
      StripeWebhookAdminServlet console,
      Map<String, String> initParameters,
      Map<String, String> contextParameters,
      EventInbox inbox)
      throws Exception {
    ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.SESSIONS);
    contextParameters.forEach(context::setInitParameter);
    WebhookConfig config =
        WebhookConfig.builder().secrets(SECRET).processing(processing).attempts(2).build();
    StripeEventHandler handler =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("*");
          }

          @Override
          public void handle(VerifiedEvent event) {
            runs.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
            if (failing.contains(event.id())) {
              throw new IllegalStateException(failure);
            }
          }
        };
    StripeWebhookFilter filter =
        inbox == null
            ? new StripeWebhookFilter(config, EventHandlers.of(handler))
            : new StripeWebhookFilter(config, EventHandlers.of(handler), inbox);
    context.addFilter(new FilterHolder(filter), "/hook", EnumSet.of(DispatcherType.REQUEST));
    // A second endpoint without handlers of its own: the servlet behind it is the processing.
    context.addFilter(
        new FilterHolder(
            new StripeWebhookFilter(
                WebhookConfig.builder().secrets(SECRET).endpoint("connect").attempts(2).build(),
                EventHandlers.none())),
        "/connect",
        EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              @Override
              protected void doPost(HttpServletRequest request, HttpServletResponse response) {
                connectCalls.incrementAndGet();
                response.setStatus(connectAnswer);
              }
            }),
        "/connect");
    context.addFilter(
        new FilterHolder(
            new HttpFilter() {
              @Override
              protected void doFilter(
                  HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                  throws IOException, ServletException {
                String name = user;
                chain.doFilter(name == null ? request : loggedIn(request, name, roles), response);
              }
            }),
        "/admin/*",
        EnumSet.of(DispatcherType.REQUEST));
    ServletHolder holder = new ServletHolder(console);
    holder.setInitParameters(initParameters);
    context.addServlet(holder, "/admin/*");
    server.setHandler(context);
    server.start();
    sender = new WebhookSender(uri("/hook"), SECRET);
    connectSender = new WebhookSender(uri("/connect"), SECRET);
  }

  /** Delivers an event of {@code type} to the second endpoint; returns its id. */
  String deliverToConnect(String type) throws Exception {
    JsonObject event = StripeFixtures.eventJson(type);
    connectSender.send(StripeFixtures.toBytes(event));
    return event.get("id").getAsString();
  }

  /** The request as a container's login leaves it: {@code name}, in {@code roles}, by Basic. */
  static HttpServletRequest loggedIn(HttpServletRequest request, String name, Set<String> roles) {
    return new HttpServletRequestWrapper(request) {
      @Override
      public String getRemoteUser() {
        return name;
      }

      @Override
      public Principal getUserPrincipal() {
        return () -> name;
      }

      @Override
      public boolean isUserInRole(String role) {
        return roles.contains(role);
      }

      @Override
      public String getAuthType() {
        return HttpServletRequest.BASIC_AUTH;
      }
    };
  }

  URI uri(String path) {
    return URI.create(
        "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
  }

  int runs(String eventId) {
    AtomicInteger count = runs.get(eventId);
    return count == null ? 0 : count.get();
  }

  /** Delivers an event of {@code type}; returns its id. */
  String deliver(String type) throws Exception {
    return deliver(StripeFixtures.eventJson(type));
  }

  /** Delivers this event; returns its id. */
  String deliver(JsonObject event) throws Exception {
    sender.send(StripeFixtures.toBytes(event));
    return event.get("id").getAsString();
  }

  /** Delivers an event that fails its handler once delivered, so that it stays failed. */
  String deliverFailing(String type) throws Exception {
    JsonObject event = StripeFixtures.eventJson(type);
    failing.add(event.get("id").getAsString());
    return deliver(event);
  }

  HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts a form ({@code name=value&...}, already encoded). */
  HttpResponse<String> post(String path, String form) throws Exception {
    return post(path, "application/x-www-form-urlencoded", form);
  }

  /** Posts this body with this content type. */
  HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Posts nothing, with the token in the header, as an API client would. */
  HttpResponse<String> postWithToken(String path, String token) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path))
            .header("X-CSRF-Token", token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The CSRF token of this client's session, read from the list page as a browser would. */
  String csrfToken() throws Exception {
    Matcher matcher = CSRF.matcher(get("/admin/").body());
    if (!matcher.find()) {
      throw new AssertionError("no CSRF field on the list page");
    }
    return matcher.group(1);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
