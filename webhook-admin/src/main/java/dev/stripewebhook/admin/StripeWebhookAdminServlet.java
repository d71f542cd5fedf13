// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import com.google.gson.JsonObject;
import dev.stripewebhook.LogText;
import dev.stripewebhook.Reason;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventPage;
import dev.stripewebhook.inbox.EventQuery;
import dev.stripewebhook.inbox.EventSummary;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.StoredEventProcessor;
import dev.stripewebhook.pipeline.ProblemJson;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The admin console of the event inbox: which events arrived, which failed and why, and the actions
 * that recover them (replay one, replay a selection, mark resolved). Server-rendered pages and a
 * JSON API; nothing is served unless the application maps this servlet.
 *
 * <p>It is closed by default: it serves a request only when the container has authenticated its
 * user and that user is in the role {@value #DEFAULT_ROLE} (or the one {@value #ROLE_PARAMETER}
 * names). Otherwise it answers 401 (no user) or 403 (a user without the role) to every page, API
 * call and action, with a body that tells nothing about the inbox. So a mapping that forgot its
 * security constraint serves nothing; the constraint is still what makes the container ask for
 * credentials.
 *
 * <h2>Installation</h2>
 *
 * Map it where the application chooses, behind a container security constraint for its role: it
 * shows payloads, and replays run handlers.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>stripe-webhook-admin</servlet-name>
 *   <servlet-class>dev.stripewebhook.admin.StripeWebhookAdminServlet</servlet-class>
 *   <load-on-startup>1</load-on-startup>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>stripe-webhook-admin</servlet-name>
 *   <url-pattern>/admin/*</url-pattern>
 * </servlet-mapping>
 * <security-constraint>
 *   <web-resource-collection>
 *     <web-resource-name>stripe-webhook-admin</web-resource-name>
 *     <url-pattern>/admin/*</url-pattern>
 *   </web-resource-collection>
 *   <auth-constraint><role-name>stripe-webhook-admin</role-name></auth-constraint>
 *   <user-data-constraint><transport-guarantee>CONFIDENTIAL</transport-guarantee></user-data-constraint>
 * </security-constraint>
 * <login-config><auth-method>BASIC</auth-method></login-config>
 * <security-role><role-name>stripe-webhook-admin</role-name></security-role>
 * }</pre>
 *
 * Give the role to the operators' users in the container (Tomcat's {@code tomcat-users.xml},
 * WildFly's {@code add-user.sh -g stripe-webhook-admin}, Jetty's realm properties), or through the
 * application's own login. It uses the inbox and handlers of the application's {@link
 * dev.stripewebhook.servlet.StripeWebhookFilter}, found through the servlet context attribute
 * {@value StoredEventProcessor#ATTRIBUTE}; embedded servers may pass a {@link StoredEventProcessor}
 * to the constructor instead.
 *
 * <h2>Configuration</h2>
 *
 * <ul>
 *   <li>{@value #ROLE_PARAMETER} (servlet init-param, else context param): the role a user needs;
 *       default {@value #DEFAULT_ROLE};
 *   <li>{@value #OPEN_PARAMETER} (servlet init-param only): {@code true} serves everyone,
 *       authenticated or not, for development on a machine no one else can reach; start-up logs a
 *       WARNING saying so. Default {@code false}.
 * </ul>
 *
 * A blank role or an open value other than {@code true} or {@code false} stops start-up with a
 * message naming the parameter. At start-up ({@code <load-on-startup>}, else its first request) the
 * console logs the role it requires.
 *
 * <h2>Usage</h2>
 *
 * Under the mapping ({@code /admin} here):
 *
 * <ul>
 *   <li>{@code GET /admin/}: events newest first, with counts by status, the backlog, filters
 *       ({@code status}, {@code type}, {@code from}/{@code to} in UTC, years 1 to 9999, {@code
 *       mode}, {@code q}: an event id or data object id) and paging by cursor ({@code after}); a
 *       malformed filter or cursor, or a time outside those years, is answered 400;
 *   <li>{@code GET /admin/events/{id}}: one event: its state, the stored delivery headers (the
 *       {@code Stripe-Signature} with its timestamp and scheme names, never a signature value), the
 *       attempts with their errors, the other events about the same object and the payload;
 *   <li>{@code POST /admin/events/{id}/replay}, {@code .../resolve}, {@code POST /admin/replay}
 *       (every failed and dead event of a type and/or a received time range, at most {@value
 *       #SELECTION_LIMIT}): the actions;
 *   <li>{@code POST /admin/recover} ({@code days}: 1 to 30, default 3; {@code undelivered}: {@code
 *       true}, the default, or {@code false}; {@code type}: optional; {@code api}: {@code v1}, the
 *       default, or {@code v2} for thin events): lists the events of the last days from Stripe's
 *       Events API and feeds them through the inbox with {@link
 *       dev.stripewebhook.recovery.EventRecovery}; shows its report. It needs a Stripe API key that
 *       can read events, in the system property {@code stripe.api-key} or the environment variable
 *       {@code STRIPE_API_KEY}; without one it answers 409;
 *   <li>{@code GET /admin/api/events}, {@code /admin/api/events/{id}}, {@code /admin/api/counts},
 *       {@code POST /admin/api/events/{id}/replay}, {@code .../resolve} and {@code
 *       /admin/api/recover}: the same as JSON.
 * </ul>
 *
 * Every POST needs the session's CSRF token, in the header {@code X-CSRF-Token} ({@code GET
 * /admin/api/csrf} returns it to API clients that keep the session cookie) or as the field {@code
 * csrf} of a form-encoded body, never in the URL; without it, or with a {@code csrf} in the query
 * string, the answer is 403. Each action is logged at INFO on {@code dev.stripewebhook.admin} with
 * the user's name. A replay makes the event due again; with {@code sync} processing the handlers
 * then run at once, in the request; with {@code async} the workers take it.
 *
 * @since 0.1
 */
public class StripeWebhookAdminServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger("dev.stripewebhook.admin");

  /** The most events one "replay a selection" replays: {@value}. */
  public static final int SELECTION_LIMIT = 1000;

  /**
   * The role a user needs to use the console: the servlet's init-param, else the servlet context's.
   * Default {@value #DEFAULT_ROLE}. Value: {@value}.
   */
  public static final String ROLE_PARAMETER = "stripe.webhook.admin.role";

  /** The role a user needs when {@value #ROLE_PARAMETER} is not set: {@value}. */
  public static final String DEFAULT_ROLE = "stripe-webhook-admin";

  /**
   * {@code true} serves every request, with or without a user: for development only. Servlet
   * init-param only, so that no context-wide setting opens it by accident. Default {@code false}.
   * Value: {@value}.
   */
  public static final String OPEN_PARAMETER = "stripe.webhook.admin.open";

  private static final int SAME_OBJECT_LIMIT = 100;
  private static final String FLASH_ATTRIBUTE = "dev.stripewebhook.admin.flash";
  private static final String JSON = "application/json;charset=UTF-8";
  private static final String HTML = "text/html;charset=UTF-8";
  private static final String ERROR_NO_PROCESSOR =
      "No event inbox: StripeWebhookFilter has not"
          + " started in this application (servlet context attribute "
          + StoredEventProcessor.ATTRIBUTE
          + " is absent)";
  private static final String ERROR_NO_USER =
      "Sign in first: the admin console serves only an" + " authenticated user in its role";
  private static final String ERROR_NOT_IN_ROLE =
      "Your user is not in the admin console's"
          + " role: ask the application's administrator to grant it";
  private static final String ERROR_BLANK_ROLE =
      ROLE_PARAMETER
          + " is blank: name the role"
          + " that may use the admin console, or remove the parameter for "
          + DEFAULT_ROLE;
  private static final String ERROR_CSRF =
      "Missing or wrong CSRF token: reload the page and"
          + " try again (API clients: send the token of GET api/csrf in the header "
          + CsrfTokens.HEADER
          + ", never in the URL)";
  private static final String ERROR_OPEN_VALUE = OPEN_PARAMETER + ": true or false, was '%s'";

  /** The request parameter choosing an endpoint's events, when the application has several. */
  static final String ENDPOINT_PARAMETER = "endpoint";

  private static final String NEEDS_DELIVERY =
      "Not replayed: this endpoint has no handlers of"
          + " its own; the servlet or resource behind its filter processes events, and only in a"
          + " delivery. Resend the event from Stripe (Dashboard: Resend, or stripe events resend),"
          + " or configure handlers.";

  private final transient StoredEventProcessor given;
  private final transient Clock clock;
  private final transient RecoveryAction recovery;

  /** Set by {@link #init()}; until then closed, with the default role. */
  private String role = DEFAULT_ROLE;

  private boolean open;

  /** For {@code web.xml}: uses the processor the filter publishes in the servlet context. */
  public StripeWebhookAdminServlet() {
    this.given = null;
    this.clock = Clock.systemUTC();
    this.recovery = RecoveryAction.fromSystem();
  }

  /** For embedded servers: this inbox and these handlers. */
  public StripeWebhookAdminServlet(StoredEventProcessor processor) {
    this.given = Objects.requireNonNull(processor, "processor == null");
    this.clock = Clock.systemUTC();
    this.recovery = RecoveryAction.fromSystem();
  }

  /** For tests: the published processor, and recovery with this key and API base. */
  StripeWebhookAdminServlet(RecoveryAction recovery) {
    this.given = null;
    this.clock = Clock.systemUTC();
    this.recovery = Objects.requireNonNull(recovery, "recovery == null");
  }

  /**
   * Reads {@value #ROLE_PARAMETER} and {@value #OPEN_PARAMETER} and logs which of the two the
   * console does: require the role, or serve everyone (a WARNING).
   *
   * @throws ServletException when the role is blank or the open switch is neither {@code true} nor
   *     {@code false}
   */
  @Override
  public void init() throws ServletException {
    String configured = getInitParameter(ROLE_PARAMETER);
    if (configured == null) {
      configured = getServletContext().getInitParameter(ROLE_PARAMETER);
    }
    if (configured != null && configured.isBlank()) {
      throw new ServletException(ERROR_BLANK_ROLE);
    }
    role = configured == null ? DEFAULT_ROLE : configured.strip();
    String openValue = getInitParameter(OPEN_PARAMETER);
    String openText = openValue == null ? "false" : openValue.strip().toLowerCase(Locale.ROOT);
    if (!openText.equals("true") && !openText.equals("false")) {
      throw new ServletException(String.format(ERROR_OPEN_VALUE, Html.forLog(openValue)));
    }
    open = openText.equals("true");
    if (open) {
      LOG.log(
          Level.WARNING,
          "Admin console ''{0}'': {1}=true: the admin console is open to"
              + " anyone who can reach it; for development only. Remove the parameter to require a"
              + " user in role {2}",
          getServletName(),
          OPEN_PARAMETER,
          role);
    } else {
      LOG.log(
          Level.INFO,
          "Admin console ''{0}'' serves only authenticated users in role {1}"
              + " ({2}); map it behind a <security-constraint> for that role so that the container"
              + " asks for credentials",
          getServletName(),
          role,
          ROLE_PARAMETER);
    }
  }

  /** Refuses every method, before any other work, unless the user may use the console. */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    if (open || admitted(request, response)) {
      super.service(request, response);
    }
  }

  /**
   * Whether the request's user is authenticated and in the role; when not, answers 401 or 403 with
   * a body that says nothing about the inbox. No {@code WWW-Authenticate}: the container's login
   * mechanism, when configured, sends its own challenge.
   */
  private boolean admitted(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Principal principal = request.getUserPrincipal();
    if (principal != null && request.isUserInRole(role)) {
      return true;
    }
    Route route = Route.of(request);
    if (principal == null) {
      LOG.log(
          Level.DEBUG,
          "Admin console: {0} {1} from {2} refused: no authenticated user",
          request.getMethod(),
          Html.forLog(route.path()),
          request.getRemoteAddr());
      refuse(request, response, route, Reason.ADMIN_AUTHENTICATION_REQUIRED, ERROR_NO_USER);
    } else {
      LOG.log(
          Level.WARNING,
          "Admin console: {0} {1} from {2} refused: user {3} is not in role" + " {4}",
          request.getMethod(),
          Html.forLog(route.path()),
          request.getRemoteAddr(),
          Html.forLog(principal.getName()),
          role);
      refuse(request, response, route, Reason.ADMIN_ROLE_REQUIRED, ERROR_NOT_IN_ROLE);
    }
    return false;
  }

  private static void refuse(
      HttpServletRequest request,
      HttpServletResponse response,
      Route route,
      Reason reason,
      String message)
      throws IOException {
    if (route.api()) {
      headers(response, reason.status(), ProblemJson.MEDIA_TYPE + ";charset=UTF-8");
      response
          .getWriter()
          .write(ProblemJson.of(reason.status(), reason.code(), reason.title(), message));
    } else {
      html(response, reason.status(), AdminPages.error(base(request), reason.status(), message));
    }
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Route route = Route.of(request);
    try {
      StoredEventProcessor processor = processor(request, response, route);
      if (processor == null) {
        return;
      }
      EventInbox inbox = processor.inbox();
      switch (route.kind()) {
        case LIST -> listPage(request, response, inbox);
        case EVENT -> eventPage(request, response, inbox, route);
        case API_LIST ->
            json(response, 200, AdminJson.page(inbox.list(ListParameters.of(request).query())));
        case API_EVENT -> apiEvent(response, inbox, route.eventId());
        case API_COUNTS ->
            json(response, 200, AdminJson.counts(inbox.countByStatus(), inbox.backlog()));
        case API_CSRF -> {
          JsonObject token = new JsonObject();
          token.addProperty("token", CsrfTokens.token(request));
          json(response, 200, token);
        }
        default -> notFound(request, response, route);
      }
    } catch (IllegalArgumentException e) {
      error(request, response, route, 400, e.getMessage());
    } catch (InboxException e) {
      unavailable(request, response, route, e);
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Route route = Route.of(request);
    if (!CsrfTokens.valid(request)) {
      LOG.log(
          Level.WARNING,
          "Admin {0} from {1}: POST {2} refused: missing or wrong CSRF token",
          user(request),
          request.getRemoteAddr(),
          Html.forLog(route.path()));
      error(request, response, route, 403, ERROR_CSRF);
      return;
    }
    try {
      StoredEventProcessor processor = processor(request, response, route);
      if (processor == null) {
        return;
      }
      switch (route.kind()) {
        case REPLAY, API_REPLAY -> replayOne(request, response, processor, route);
        case RESOLVE, API_RESOLVE -> resolveOne(request, response, processor.inbox(), route);
        case REPLAY_SELECTION -> replaySelection(request, response, processor);
        case RECOVER, API_RECOVER -> recover(request, response, processor, route);
        default -> notFound(request, response, route);
      }
    } catch (IllegalArgumentException e) {
      error(request, response, route, 400, e.getMessage());
    } catch (InboxException e) {
      unavailable(request, response, route, e);
    }
  }

  private void listPage(HttpServletRequest request, HttpServletResponse response, EventInbox inbox)
      throws IOException, InboxException {
    ListParameters filters = ListParameters.of(request);
    EventPage page = inbox.list(filters.query());
    html(
        response,
        200,
        AdminPages.list(
            base(request),
            inbox.endpoint(),
            endpoints().keySet(),
            filters,
            page,
            inbox.countByStatus(),
            inbox.backlog(),
            clock.instant(),
            CsrfTokens.token(request),
            takeFlash(request),
            recovery.form(base(request), CsrfTokens.token(request))));
  }

  private void eventPage(
      HttpServletRequest request, HttpServletResponse response, EventInbox inbox, Route route)
      throws IOException, InboxException {
    String eventId = route.eventId();
    InboxRecord record = inbox.find(eventId).orElse(null);
    if (record == null) {
      error(request, response, route, 404, "No event " + eventId + " in the inbox");
      return;
    }
    html(
        response,
        200,
        AdminPages.event(
            base(request),
            record,
            inbox.attempts(eventId),
            sameObject(inbox, record),
            CsrfTokens.token(request),
            takeFlash(request)));
  }

  private void apiEvent(HttpServletResponse response, EventInbox inbox, String eventId)
      throws IOException, InboxException {
    InboxRecord record = inbox.find(eventId).orElse(null);
    if (record == null) {
      json(response, 404, AdminJson.error(404, "No event " + eventId + " in the inbox"));
      return;
    }
    JsonObject json = AdminJson.event(record, inbox.attempts(eventId), sameObject(inbox, record));
    json.addProperty("endpoint", inbox.endpoint());
    json(response, 200, json);
  }

  private static List<EventSummary> sameObject(EventInbox inbox, InboxRecord record)
      throws InboxException {
    return record.dataObjectId() == null
        ? List.of()
        : inbox.aboutObject(record.dataObjectId(), SAME_OBJECT_LIMIT);
  }

  private void replayOne(
      HttpServletRequest request,
      HttpServletResponse response,
      StoredEventProcessor processor,
      Route route)
      throws IOException, InboxException {
    String eventId = route.eventId();
    InboxStatus before = status(processor.inbox(), eventId);
    if (before == null) {
      error(request, response, route, 404, "No event " + eventId + " in the inbox");
      return;
    }
    if (!processor.runsStoredEvents()) {
      error(request, response, route, 409, NEEDS_DELIVERY);
      return;
    }
    Replay replay = replay(processor, eventId);
    LOG.log(
        Level.INFO,
        "Admin {0} from {1} replayed {2}: {3}",
        user(request),
        request.getRemoteAddr(),
        LogText.escape(eventId),
        replay.describe());
    InboxStatus after = status(processor.inbox(), eventId);
    if (route.api()) {
      JsonObject json = new JsonObject();
      json.addProperty("id", eventId);
      json.addProperty("replayed", replay.replayed());
      json.add("outcome", AdminJson.string(replay.outcomeCode()));
      json.addProperty("status", after == null ? null : after.code());
      json(response, replay.replayed() ? 200 : 409, json);
    } else {
      redirect(
          request,
          response,
          AdminPages.eventPath(base(request), eventId),
          replay.replayed()
              ? "Replayed: " + replay.describe()
              : "Not replayed: the event is " + before.code() + ", not failed or dead");
    }
  }

  private void resolveOne(
      HttpServletRequest request, HttpServletResponse response, EventInbox inbox, Route route)
      throws IOException, InboxException {
    String eventId = route.eventId();
    InboxStatus before = status(inbox, eventId);
    if (before == null) {
      error(request, response, route, 404, "No event " + eventId + " in the inbox");
      return;
    }
    boolean resolved = inbox.resolve(eventId);
    LOG.log(
        Level.INFO,
        "Admin {0} from {1} {2} {3} (was {4})",
        user(request),
        request.getRemoteAddr(),
        resolved ? "resolved" : "could not resolve",
        LogText.escape(eventId),
        before.code());
    if (route.api()) {
      JsonObject json = new JsonObject();
      json.addProperty("id", eventId);
      json.addProperty("resolved", resolved);
      InboxStatus after = status(inbox, eventId);
      json.addProperty("status", after == null ? null : after.code());
      json(response, resolved ? 200 : 409, json);
    } else {
      redirect(
          request,
          response,
          AdminPages.eventPath(base(request), eventId),
          resolved
              ? "Marked resolved: its handlers will not run again"
              : "Not resolved: the event is " + before.code() + ", not failed or dead");
    }
  }

  private void replaySelection(
      HttpServletRequest request, HttpServletResponse response, StoredEventProcessor processor)
      throws IOException, InboxException {
    if (!processor.runsStoredEvents()) {
      redirect(request, response, base(request) + "/", NEEDS_DELIVERY);
      return;
    }
    String type = ListParameters.blankToNull(request.getParameter("type"));
    Instant from = ListParameters.time(request, "from");
    Instant to = ListParameters.time(request, "to");
    EventQuery.Builder selection =
        EventQuery.builder()
            .statuses(InboxStatus.FAILED, InboxStatus.DEAD)
            .type(type)
            .received(from, to)
            .limit(EventQuery.MAX_LIMIT);
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      EventPage page = processor.inbox().list(selection.after(cursor).build());
      for (EventSummary event : page.events()) {
        if (ids.size() < SELECTION_LIMIT) {
          ids.add(event.eventId());
        }
      }
      cursor = ids.size() < SELECTION_LIMIT ? page.next() : null;
    } while (cursor != null);
    int replayed = 0;
    int done = 0;
    for (String id : ids) {
      Replay replay = replay(processor, id);
      replayed += replay.replayed() ? 1 : 0;
      done += replay.outcome() == Outcome.DONE ? 1 : 0;
    }
    String summary =
        "Replayed "
            + replayed
            + " failed or dead events"
            + (type == null ? "" : " of type " + type)
            + (from == null && to == null
                ? ""
                : " received " + Objects.toString(from, "…") + " to " + Objects.toString(to, "…"))
            + (processor.processesDueEvents()
                ? ": the workers process them"
                : ": " + done + " done, " + (replayed - done) + " failed again")
            + (ids.size() == SELECTION_LIMIT ? " (the first " + SELECTION_LIMIT + ")" : "");
    LOG.log(
        Level.INFO,
        "Admin {0} from {1}: {2}",
        user(request),
        request.getRemoteAddr(),
        Html.forLog(summary));
    String back =
        base(request)
            + "/?status=failed&status=dead"
            + (type == null ? "" : "&type=" + Html.url(type));
    redirect(request, response, back, summary);
  }

  private void recover(
      HttpServletRequest request,
      HttpServletResponse response,
      StoredEventProcessor processor,
      Route route)
      throws IOException, InboxException {
    RecoveryAction.Run run;
    try {
      run = recovery.run(request, getServletContext(), processor);
    } catch (RecoveryAction.Refusal e) {
      LOG.log(
          Level.WARNING,
          "Admin {0} from {1}: recovery from Stripe refused: {2}",
          user(request),
          request.getRemoteAddr(),
          e.getMessage());
      error(request, response, route, e.status(), e.getMessage());
      return;
    }
    LOG.log(
        Level.INFO,
        "Admin {0} from {1} {2}",
        user(request),
        request.getRemoteAddr(),
        run.describe());
    if (route.api()) {
      json(response, 200, RecoveryAction.json(run));
    } else {
      StringBuilder page =
          AdminPages.start("Recovered from Stripe · Stripe webhook events", base(request));
      html(
          response,
          200,
          AdminPages.end(page.append(RecoveryAction.resultHtml(base(request), run))));
    }
  }

  /**
   * Makes the event due again; with sync processing (no workers), runs its handlers now, as a
   * delivery would.
   */
  private static Replay replay(StoredEventProcessor processor, String eventId)
      throws InboxException {
    if (!processor.inbox().replay(eventId)) {
      return new Replay(false, null, false);
    }
    if (processor.processesDueEvents()) {
      return new Replay(true, null, true);
    }
    return new Replay(true, processor.process(eventId), false);
  }

  private record Replay(boolean replayed, Outcome outcome, boolean queued) {
    String outcomeCode() {
      return outcome == null ? null : outcome.name().toLowerCase(Locale.ROOT);
    }

    String describe() {
      if (!replayed) {
        return "not failed or dead, nothing done";
      }
      return queued ? "due again, the workers process it" : "handlers ran: " + outcomeCode();
    }
  }

  private static InboxStatus status(EventInbox inbox, String eventId) throws InboxException {
    return inbox.find(eventId).map(InboxRecord::status).orElse(null);
  }

  private StoredEventProcessor processor(
      HttpServletRequest request, HttpServletResponse response, Route route) throws IOException {
    if (given != null) {
      return given;
    }
    Map<String, WebhookEndpoint> endpoints = endpoints();
    String wanted = request.getParameter(ENDPOINT_PARAMETER);
    if (wanted != null && !wanted.isEmpty()) {
      WebhookEndpoint named = endpoints.get(wanted);
      if (named == null) {
        error(request, response, route, 404, "No endpoint named " + wanted);
      }
      return named;
    }
    if (route.eventId() != null && endpoints.size() > 1) {
      // An event's page, replay or resolve: the endpoint whose inbox has it.
      for (WebhookEndpoint endpoint : endpoints.values()) {
        try {
          if (endpoint.inbox().find(route.eventId()).isPresent()) {
            return endpoint;
          }
        } catch (InboxException e) {
          LOG.log(Level.WARNING, "Endpoint " + endpoint.name() + ": " + e.getMessage());
        }
      }
    }
    if (getServletContext().getAttribute(StoredEventProcessor.ATTRIBUTE)
        instanceof StoredEventProcessor published) {
      return published;
    }
    LOG.log(Level.ERROR, ERROR_NO_PROCESSOR);
    error(request, response, route, 503, ERROR_NO_PROCESSOR);
    return null;
  }

  /** The running endpoints of the application, by name; empty when no filter runs. */
  private Map<String, WebhookEndpoint> endpoints() {
    return StripeWebhookFilter.endpoints(getServletContext());
  }

  /** The name of the endpoint whose events {@code processor} processes. */
  static String endpointName(StoredEventProcessor processor) {
    return processor.inbox().endpoint();
  }

  /** The user's name for the log: the container's authenticated user, or "anonymous". */
  private static String user(HttpServletRequest request) {
    if (request.getRemoteUser() != null) {
      return LogText.escape(request.getRemoteUser());
    }
    Principal principal = request.getUserPrincipal();
    return principal == null ? "anonymous" : LogText.escape(principal.getName());
  }

  private static String base(HttpServletRequest request) {
    return request.getContextPath() + request.getServletPath();
  }

  /** Post/redirect/get: the message shows once on the next page of this session. */
  private static void redirect(
      HttpServletRequest request, HttpServletResponse response, String location, String message)
      throws IOException {
    request.getSession(true).setAttribute(FLASH_ATTRIBUTE, message);
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
    response.setHeader("Location", location);
  }

  private static String takeFlash(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null) {
      return null;
    }
    Object message = session.getAttribute(FLASH_ATTRIBUTE);
    session.removeAttribute(FLASH_ATTRIBUTE);
    return message instanceof String text ? text : null;
  }

  private static void unavailable(
      HttpServletRequest request, HttpServletResponse response, Route route, InboxException e)
      throws IOException {
    LOG.log(Level.ERROR, "Admin console: " + e.getMessage());
    error(request, response, route, 503, "The event inbox is unavailable: " + e.getMessage());
  }

  private static void notFound(
      HttpServletRequest request, HttpServletResponse response, Route route) throws IOException {
    error(request, response, route, 404, "Nothing at " + route.path());
  }

  private static void error(
      HttpServletRequest request,
      HttpServletResponse response,
      Route route,
      int status,
      String message)
      throws IOException {
    if (route.api()) {
      json(response, status, AdminJson.error(status, message));
    } else {
      html(response, status, AdminPages.error(base(request), status, message));
    }
  }

  private static void html(HttpServletResponse response, int status, String page)
      throws IOException {
    headers(response, status, HTML);
    response.getWriter().write(page);
  }

  private static void json(HttpServletResponse response, int status, JsonObject json)
      throws IOException {
    headers(response, status, JSON);
    response.getWriter().write(AdminJson.write(json));
  }

  private static void headers(HttpServletResponse response, int status, String contentType) {
    response.setStatus(status);
    response.setContentType(contentType);
    // Pages hold payloads and tokens: not cached, not framed, no script at all.
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline';"
            + " img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  }
}
