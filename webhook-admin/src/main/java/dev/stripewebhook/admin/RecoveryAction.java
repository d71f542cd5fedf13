// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static dev.stripewebhook.admin.Html.escape;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import dev.stripewebhook.CommaList;
import dev.stripewebhook.LogText;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.StoredEventProcessor;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.recovery.EventRecovery;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The console's "Recover from Stripe" action: lists the events of the last days from Stripe's
 * Events API and feeds them through the inbox with {@link EventRecovery}, using the running
 * filter's configuration (its signing secrets) and processor (its inbox and handlers).
 *
 * <p>The API key is read on each run, from the system property {@value #API_KEY_PROPERTY}, else the
 * environment variable {@value #API_KEY_VARIABLE}; it is never written to a page or the log. A
 * restricted key with read access to events is enough.
 */
final class RecoveryAction {
  /** The system property that may hold the Stripe API key: {@value}. */
  static final String API_KEY_PROPERTY = "stripe.api-key";

  /** The environment variable that may hold the Stripe API key: {@value}. */
  static final String API_KEY_VARIABLE = "STRIPE_API_KEY";

  /** The days listed when the form gives none: {@value}. */
  static final int DEFAULT_DAYS = 3;

  /** The most days: Stripe's Events API lists the last 30 days only. */
  static final int MAX_DAYS = (int) EventRecovery.STRIPE_RETENTION.toDays();

  private static final String ERROR_NOT_CONFIGURED =
      "Recovery from Stripe is not configured:"
          + " set the environment variable "
          + API_KEY_VARIABLE
          + " (or the system property "
          + API_KEY_PROPERTY
          + ") to a Stripe API key that can read events, then restart the"
          + " application";
  private static final String ERROR_NO_CONFIG =
      "No webhook configuration: StripeWebhookFilter"
          + " has not started in this application (servlet context attribute "
          + StripeWebhookFilter.CONFIG_ATTRIBUTE
          + " is absent)";
  private static final String ERROR_DAYS =
      "days: give a whole number of days from 1 to "
          + MAX_DAYS
          + " (Stripe's Events API keeps "
          + MAX_DAYS
          + " days of events)";
  private static final String ERROR_API =
      "api: v1 (snapshot events, GET /v1/events) or v2 (thin events, GET /v2/core/events)";

  private final Supplier<String> apiKey;
  private final String apiBase;

  /**
   * The action with the API key from {@code apiKey} (null or blank: not configured) and Stripe's
   * API at {@code apiBase} (null: Stripe's own; tests give a local server).
   */
  RecoveryAction(Supplier<String> apiKey, String apiBase) {
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey == null");
    this.apiBase = apiBase;
  }

  /** The action with the key from {@value #API_KEY_PROPERTY} or {@value #API_KEY_VARIABLE}. */
  static RecoveryAction fromSystem() {
    return new RecoveryAction(
        () -> {
          String property = System.getProperty(API_KEY_PROPERTY);
          return property != null && !property.isBlank()
              ? property
              : System.getenv(API_KEY_VARIABLE);
        },
        null);
  }

  /** Whether an API key is set. */
  boolean configured() {
    return key() != null;
  }

  private String key() {
    String key = apiKey.get();
    return key == null || key.isBlank() ? null : key.strip();
  }

  /** A request the action cannot run, with the HTTP status and the message to answer. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refusal(int status, String message) {
      super(message);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  /** What the form asked for. */
  record Request(
      int days, boolean undeliveredOnly, List<String> types, EventRecovery.EventsApi api) {
    /** The request's parameters {@code days}, {@code undelivered}, {@code type} and {@code api}. */
    static Request of(HttpServletRequest request) {
      String daysText = ListParameters.blankToNull(request.getParameter("days"));
      int days;
      try {
        days = daysText == null ? DEFAULT_DAYS : Integer.parseInt(daysText.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(ERROR_DAYS);
      }
      if (days < 1 || days > MAX_DAYS) {
        throw new IllegalArgumentException(ERROR_DAYS);
      }
      // The form sends a hidden "false" before the checkbox's "true": the last value wins, and
      // a request without the parameter (an API client) gets the default, undelivered only.
      String[] undelivered = request.getParameterValues("undelivered");
      boolean undeliveredOnly =
          undelivered == null
              || !"false".equalsIgnoreCase(undelivered[undelivered.length - 1].strip());
      String type = ListParameters.blankToNull(request.getParameter("type"));
      String api = ListParameters.blankToNull(request.getParameter("api"));
      EventRecovery.EventsApi eventsApi;
      if (api == null || api.strip().equals("v1")) {
        eventsApi = EventRecovery.EventsApi.V1;
      } else if (api.strip().equals("v2")) {
        eventsApi = EventRecovery.EventsApi.V2;
      } else {
        throw new IllegalArgumentException(ERROR_API);
      }
      return new Request(
          days, undeliveredOnly, type == null ? List.of() : CommaList.split(type), eventsApi);
    }

    /** The range and filters in words, for the log and the page. */
    String describe() {
      return "events of the last "
          + days
          + (days == 1 ? " day" : " days")
          + (undeliveredOnly ? ", undelivered only" : ", delivered or not")
          + (types.isEmpty() ? ", any type" : ", type " + String.join(",", types))
          + (api == EventRecovery.EventsApi.V2 ? ", from the v2 Events API (thin events)" : "");
    }
  }

  /** A finished run: what was asked, from when, and the report. */
  record Run(Request request, EventRecovery.Range range, EventRecovery.Report report) {
    /** One line for the log: the request and the counts, never the key. */
    String describe() {
      return "recovered from Stripe "
          + request.describe()
          + " (created since "
          + range.since()
          + "): "
          + report;
    }
  }

  /**
   * Runs the recovery the request asks for with the filter's configuration and {@code processor}.
   *
   * @throws IllegalArgumentException when a parameter is wrong (answer 400)
   * @throws Refusal when no key is set (409), the filter has not started (503) or Stripe's API
   *     cannot be read (502)
   * @throws InboxException when the inbox cannot store
   */
  Run run(HttpServletRequest request, ServletContext context, StoredEventProcessor processor)
      throws Refusal, InboxException {
    String key = key();
    if (key == null) {
      throw new Refusal(409, ERROR_NOT_CONFIGURED);
    }
    Request asked = Request.of(request);
    // The endpoint's own configuration: its secrets sign what it stores (a Connect endpoint's
    // events must verify with the Connect secrets, not the platform's).
    WebhookConfig config =
        processor instanceof WebhookEndpoint endpoint
            ? endpoint.config()
            : context.getAttribute(StripeWebhookFilter.CONFIG_ATTRIBUTE)
                    instanceof WebhookConfig published
                ? published
                : null;
    if (config == null) {
      throw new Refusal(503, ERROR_NO_CONFIG);
    }
    EventRecovery.Options options;
    try {
      options = EventRecovery.Options.all().from(asked.api()).onlyTypes(asked.types());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("type: " + e.getMessage(), e);
    }
    if (asked.undeliveredOnly()) {
      options = options.onlyUndelivered();
    }
    EventRecovery.Range range =
        EventRecovery.Range.last(Duration.ofDays(asked.days()), config.verification().clock());
    StripeClient.StripeClientBuilder client =
        StripeClient.builder().setApiKey(key).setMaxNetworkRetries(2);
    if (apiBase != null) {
      client.setApiBase(apiBase);
    }
    try {
      return new Run(
          asked,
          range,
          EventRecovery.create(client.build(), config, processor).run(range, options));
    } catch (StripeException e) {
      throw new Refusal(
          502,
          "Stripe's Events API could not be read"
              + (e.getStatusCode() == null ? "" : " (HTTP " + e.getStatusCode() + ")")
              + ": "
              + LogText.withoutKeys(Objects.toString(e.getMessage(), e.getClass().getSimpleName()))
              + ". Events stored before the failure are kept; run again to continue");
    }
  }

  /** The list page's section: the form, or why recovery is not available. */
  String form(String base, String csrf) {
    StringBuilder html = new StringBuilder(1024).append("<h2>Recover from Stripe</h2>");
    if (!configured()) {
      return html.append("<p id=\"recover-not-configured\">")
          .append(escape(ERROR_NOT_CONFIGURED))
          .append(".</p>")
          .toString();
    }
    return html.append("<form method=\"post\" action=\"")
        .append(escape(base))
        .append("/recover\" class=\"filters\" id=\"recover-form\"><input type=\"hidden\" name=\"")
        .append(CsrfTokens.PARAMETER)
        .append("\" value=\"")
        .append(escape(csrf))
        .append("\">")
        .append(
            "<span>Lists events from Stripe's Events API, stores those the inbox lacks and"
                + " handles those not done</span>")
        .append("<label>last days<input type=\"number\" name=\"days\" min=\"1\" max=\"")
        .append(MAX_DAYS)
        .append("\" value=\"")
        .append(DEFAULT_DAYS)
        .append("\"></label>")
        .append(
            "<label><span><input type=\"hidden\" name=\"undelivered\" value=\"false\">"
                + "<input type=\"checkbox\" name=\"undelivered\" value=\"true\" checked> only"
                + " undelivered</span></label>")
        .append("<label>of type<input name=\"type\" placeholder=\"any type\"></label>")
        .append(
            "<label>from<select name=\"api\"><option value=\"v1\" selected>v1 Events API"
                + " (snapshot events)</option><option value=\"v2\">v2 Events API (thin"
                + " events)</option></select></label>")
        .append("<button type=\"submit\" id=\"recover\">Recover from Stripe</button></form>")
        .toString();
  }

  /** The body of the result page: the request, the counts and links to the failed events. */
  static String resultHtml(String base, Run run) {
    EventRecovery.Report report = run.report();
    StringBuilder html =
        new StringBuilder(2048)
            .append("<p><a href=\"")
            .append(escape(base))
            .append("/\">« events</a></p><h1>Recovered from Stripe</h1><p id=\"recovery-request\">")
            .append("Asked for ")
            .append(escape(run.request().describe()))
            .append(", created since ")
            .append(Html.time(run.range().since()))
            .append("</p><dl id=\"recovery-report\">");
    count(html, "listed", "listed", report.listed());
    count(html, "stored", "stored", report.stored());
    count(html, "already-present", "already present", report.alreadyPresent());
    count(html, "refused", "refused (no secret for their mode)", report.refused());
    count(html, "processed", "processed", report.processed());
    count(html, "busy", "being processed elsewhere", report.busy());
    count(html, "failed", "failed", report.failed());
    html.append("</dl>");
    if (!report.failedEventIds().isEmpty()) {
      html.append(
          "<h2>Failed</h2><p>Their handlers failed; they stay in the inbox. Fix the"
              + " cause, then replay them.</p><ul id=\"recovery-failed\">");
      for (String id : report.failedEventIds()) {
        html.append("<li><a href=\"")
            .append(escape(AdminPages.eventPath(base, id)))
            .append("\"><code>")
            .append(escape(id))
            .append("</code></a></li>");
      }
      html.append("</ul>");
    }
    return html.toString();
  }

  private static void count(StringBuilder html, String id, String label, int value) {
    html.append("<dt>")
        .append(escape(label))
        .append("</dt><dd id=\"recovery-")
        .append(id)
        .append("\">")
        .append(value)
        .append("</dd>");
  }

  /** The JSON API's answer: the request and the report. */
  static JsonObject json(Run run) {
    EventRecovery.Report report = run.report();
    JsonObject json = new JsonObject();
    json.addProperty("days", run.request().days());
    json.addProperty("undeliveredOnly", run.request().undeliveredOnly());
    JsonArray types = new JsonArray();
    run.request().types().forEach(types::add);
    json.add("types", types);
    json.addProperty("eventsApi", run.request().api().name().toLowerCase(Locale.ROOT));
    json.add("since", AdminJson.time(run.range().since()));
    json.addProperty("listed", report.listed());
    json.addProperty("stored", report.stored());
    json.addProperty("alreadyPresent", report.alreadyPresent());
    json.addProperty("refused", report.refused());
    json.addProperty("processed", report.processed());
    json.addProperty("busy", report.busy());
    json.addProperty("failed", report.failed());
    JsonArray failed = new JsonArray();
    report.failedEventIds().forEach(failed::add);
    json.add("failedEventIds", failed);
    return json;
  }
}
