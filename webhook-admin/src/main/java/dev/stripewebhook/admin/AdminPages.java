// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static dev.stripewebhook.admin.Html.escape;
import static dev.stripewebhook.admin.Html.time;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.stripewebhook.inbox.EventPage;
import dev.stripewebhook.inbox.EventSummary;
import dev.stripewebhook.inbox.InboxBacklog;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.ProcessingAttempt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The console's HTML: a page is one string, every stored value escaped. */
final class AdminPages {
  private static final Gson PRETTY =
      new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();
  private static final String CSS =
      """
      body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
      header{background:#24292f;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
      header a{color:#fff;text-decoration:none;font-weight:600}
      main{padding:16px 24px;max-width:1400px}
      h1{font-size:20px;margin:8px 0 12px}h2{font-size:16px;margin:20px 0 8px}
      table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
      th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
      th{background:#f0f3f6;font-weight:600}
      tr.current td{background:#fff8c5}
      td{white-space:nowrap}
      td.error{color:#82071e}
      .cut{overflow:hidden;text-overflow:ellipsis}
      td .cut{max-width:200px}td.error .cut{max-width:180px}
      code,pre{font:12px/1.4 ui-monospace,monospace}
      h1 code{font-size:18px}
      pre.error{margin:0;border:0;padding:0;background:none;white-space:pre-wrap;
        overflow-wrap:anywhere}
      pre{background:#fff;border:1px solid #d0d7de;padding:10px;overflow:auto;max-height:640px}
      form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end;background:#fff;
        border:1px solid #d0d7de;padding:10px;margin-bottom:12px}
      form.filters label{display:flex;flex-direction:column;font-size:12px;color:#57606a}
      .statuses{display:flex;gap:8px;flex-wrap:wrap}.statuses label{flex-direction:row;gap:3px}
      .counts{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:12px}
      .counts a{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:4px 10px;
        text-decoration:none;color:inherit}
      .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600}
      .received,.processing{background:#ddf4ff;color:#0550ae}.done{background:#dafbe1;color:#116329}
      .failed{background:#fff1e5;color:#953800}.dead{background:#ffebe9;color:#82071e}
      .superseded,.resolved{background:#eaeef2;color:#57606a}
      .pager{margin:12px 0;display:flex;gap:16px}
      .message{background:#ddf4ff;border:1px solid #54aeff;padding:8px 12px;margin-bottom:12px}
      .actions{display:flex;gap:8px;margin:8px 0}
      button{padding:4px 12px;cursor:pointer}
      dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;background:#fff;
        border:1px solid #d0d7de;padding:10px;margin:0}
      dt{color:#57606a}dd{margin:0;overflow-wrap:anywhere}
      """;

  private AdminPages() {}

  /** The list page. */
  static String list(
      String base,
      String endpoint,
      Collection<String> endpoints,
      ListParameters filters,
      EventPage page,
      Map<InboxStatus, Long> counts,
      InboxBacklog backlog,
      Instant now,
      String csrf,
      String message,
      String recoverySection) {
    StringBuilder html = start("Stripe webhook events", base);
    html.append("<h1>Events of endpoint <span id=\"endpoint\">")
        .append(escape(endpoint))
        .append("</span></h1>");
    if (endpoints.size() > 1) {
      html.append("<div class=\"endpoints\" id=\"endpoints\">endpoints:");
      for (String other : endpoints) {
        html.append(' ')
            .append("<a href=\"")
            .append(escape(base))
            .append("/?endpoint=")
            .append(escape(Html.url(other)))
            .append("\">")
            .append(escape(other))
            .append("</a>");
      }
      html.append("</div>");
    }
    message(html, message);
    String endpointField =
        "<input type=\"hidden\" name=\"endpoint\" value=\"" + escape(endpoint) + "\">";
    html.append("<div class=\"counts\" id=\"counts\">");
    for (Map.Entry<InboxStatus, Long> count : counts.entrySet()) {
      String code = count.getKey().code();
      html.append("<a href=\"")
          .append(escape(base))
          .append("/?status=")
          .append(code)
          .append(endpoints.size() > 1 ? "&endpoint=" + escape(Html.url(endpoint)) : "")
          .append("\"><span class=\"badge ")
          .append(code)
          .append("\">")
          .append(code)
          .append("</span> <span class=\"count\" data-status=\"")
          .append(code)
          .append("\">")
          .append(count.getValue())
          .append("</span></a>");
    }
    html.append("<span>backlog <b id=\"backlog\">").append(backlog.events()).append("</b>");
    backlog
        .oldestAge(now)
        .ifPresent(age -> html.append(", oldest waiting ").append(escape(duration(age))));
    html.append("</span></div>");

    html.append("<form class=\"filters\" method=\"get\" action=\"")
        .append(escape(base))
        .append("/\">")
        .append(endpointField)
        .append("<div><div style=\"font-size:12px;color:#57606a\">status</div>")
        .append("<div class=\"statuses\">");
    for (InboxStatus status : InboxStatus.values()) {
      html.append("<label><input type=\"checkbox\" name=\"status\" value=\"")
          .append(status.code())
          .append('"')
          .append(filters.statuses().contains(status) ? " checked" : "")
          .append('>')
          .append(status.code())
          .append("</label>");
    }
    html.append("</div></div>");
    input(html, "type", "type", filters.type(), "invoice.paid");
    html.append(
            "<label>received from (UTC)<input type=\"datetime-local\" step=\"1\" name=\"from\""
                + " value=\"")
        .append(escape(Html.inputTime(filters.from())))
        .append("\"></label>");
    html.append("<label>to (UTC)<input type=\"datetime-local\" step=\"1\" name=\"to\" value=\"")
        .append(escape(Html.inputTime(filters.to())))
        .append("\"></label>");
    html.append("<label>mode<select name=\"mode\">");
    option(html, "", "any", filters.livemode() == null);
    option(html, "live", "live", Boolean.TRUE.equals(filters.livemode()));
    option(html, "test", "test", Boolean.FALSE.equals(filters.livemode()));
    html.append("</select></label>");
    input(html, "event or object id", "q", filters.search(), "evt_… or sub_…");
    html.append("<button type=\"submit\" id=\"filter\">Filter</button> <a href=\"")
        .append(escape(base))
        .append("/\">clear</a></form>");

    html.append(
        "<table id=\"events\"><thead><tr><th>received</th><th>event</th><th>type</th>"
            + "<th>object</th><th>mode</th><th>status</th><th>attempts</th><th>last error</th>"
            + "</tr></thead><tbody>");
    if (page.events().isEmpty()) {
      html.append("<tr><td colspan=\"8\">No event matches.</td></tr>");
    }
    for (EventSummary event : page.events()) {
      html.append("<tr><td>")
          .append(time(event.receivedAt()))
          .append("</td><td><a href=\"")
          .append(escape(eventPath(base, event.eventId())))
          .append("\"><code>")
          .append(escape(event.eventId()))
          .append("</code></a></td><td>")
          .append(escape(event.type()))
          .append("</td><td><div class=\"cut\" title=\"")
          .append(escape(event.dataObjectId()))
          .append("\"><code>")
          .append(escape(event.dataObjectId()))
          .append("</code></div></td><td>")
          .append(mode(event.livemode()))
          .append("</td><td>")
          .append(badge(event.status()))
          .append("</td><td>")
          .append(event.attempts())
          .append("</td><td class=\"error\"><div class=\"cut\" title=\"")
          .append(escape(Html.shorten(event.lastError(), 500)))
          .append("\">")
          .append(escape(Html.shorten(Html.errorMessage(event.lastError()), 160)))
          .append("</div></td></tr>");
    }
    html.append("</tbody></table><div class=\"pager\">");
    String filtersQuery = filters.queryString();
    if (filters.after() != null) {
      html.append("<a href=\"")
          .append(escape(base + "/" + filtersQuery))
          .append("\">« first page</a>");
    }
    if (page.next() != null) {
      html.append("<a id=\"next\" href=\"")
          .append(
              escape(
                  base
                      + "/"
                      + filtersQuery
                      + (filtersQuery.isEmpty() ? "?" : "&")
                      + "after="
                      + Html.url(page.next())
                      + (endpoints.size() > 1 ? "&endpoint=" + Html.url(endpoint) : "")))
          .append("\">next page »</a>");
    }
    html.append("</div>");

    html.append("<h2>Replay a selection</h2><form method=\"post\" action=\"")
        .append(escape(base))
        .append("/replay\" class=\"filters\">")
        .append(csrfField(csrf))
        .append(endpointField)
        .append("<span>Replays every <b>failed</b> and <b>dead</b> event (at most ")
        .append(StripeWebhookAdminServlet.SELECTION_LIMIT)
        .append(")</span>");
    input(html, "of type", "type", filters.type(), "any type");
    html.append(
            "<label>received from (UTC)<input type=\"datetime-local\" step=\"1\" name=\"from\""
                + " value=\"")
        .append(escape(Html.inputTime(filters.from())))
        .append("\"></label>");
    html.append("<label>to (UTC)<input type=\"datetime-local\" step=\"1\" name=\"to\" value=\"")
        .append(escape(Html.inputTime(filters.to())))
        .append("\"></label>");
    html.append(
            "<button type=\"submit\" id=\"replay-selection\">Replay selection</button>" + "</form>")
        .append(recoverySection);
    return end(html);
  }

  /** The page of one event. */
  static String event(
      String base,
      InboxRecord record,
      List<ProcessingAttempt> attempts,
      List<EventSummary> sameObject,
      String csrf,
      String message) {
    StringBuilder html = start(record.eventId() + " · Stripe webhook events", base);
    html.append("<p><a href=\"")
        .append(escape(base))
        .append("/\">« events</a></p>")
        .append("<h1><code>")
        .append(escape(record.eventId()))
        .append("</code> ")
        .append(badge(record.status()))
        .append("</h1>");
    message(html, message);
    if (record.status() == InboxStatus.FAILED || record.status() == InboxStatus.DEAD) {
      String path = escape(eventPath(base, record.eventId()));
      html.append("<div class=\"actions\"><form method=\"post\" action=\"")
          .append(path)
          .append("/replay\">")
          .append(csrfField(csrf))
          .append("<button type=\"submit\" id=\"replay\">Replay</button></form>")
          .append("<form method=\"post\" action=\"")
          .append(path)
          .append("/resolve\">")
          .append(csrfField(csrf))
          .append("<button type=\"submit\" id=\"resolve\">Mark resolved</button></form></div>");
    }
    html.append("<h2>Event</h2><dl>");
    field(html, "type", escape(record.type()));
    field(html, "status", badge(record.status()));
    field(html, "mode", mode(record.livemode()));
    field(html, "object", "<code>" + escape(record.dataObjectId()) + "</code>");
    field(html, "account", escape(record.account()));
    field(html, "API version", escape(record.apiVersion()));
    field(html, "created", time(record.created()));
    field(html, "received", time(record.receivedAt()));
    field(html, "handled", time(record.handledAt()));
    field(html, "attempts since stored or replayed", Integer.toString(record.attempts()));
    if (record.status().isPending()) {
      field(html, "next attempt", time(record.nextAttemptAt()));
    }
    if (record.leaseOwner() != null) {
      field(html, "held by", escape(record.leaseOwner()) + " until " + time(record.leaseUntil()));
    }
    field(html, "last error", "<span class=\"error\">" + escape(record.lastError()) + "</span>");
    html.append("</dl><h2>Delivery</h2><dl>");
    field(
        html,
        "Stripe-Signature",
        "<code id=\"signature\">"
            + escape(Html.redactSignature(record.signatureHeader()))
            + "</code>");
    field(html, "client address", escape(record.clientAddress()));
    html.append("</dl>");

    html.append(
        "<h2>Attempts</h2><table id=\"attempts\"><thead><tr><th>#</th><th>owner</th>"
            + "<th>started</th><th>finished</th><th>outcome</th><th>error</th></tr></thead><tbody>");
    if (attempts.isEmpty()) {
      html.append("<tr><td colspan=\"6\">Not processed yet.</td></tr>");
    }
    for (ProcessingAttempt attempt : attempts) {
      html.append("<tr><td>")
          .append(attempt.number())
          .append("</td><td>")
          .append(escape(attempt.owner()))
          .append("</td><td>")
          .append(time(attempt.startedAt()))
          .append("</td><td>")
          .append(time(attempt.finishedAt()))
          .append("</td><td>")
          .append(
              attempt.outcome() == null
                  ? "running"
                  : attempt.outcome().name().toLowerCase(Locale.ROOT))
          .append("</td><td class=\"error\"><pre class=\"error\">")
          .append(escape(attempt.error()))
          .append("</pre></td></tr>");
    }
    html.append("</tbody></table>");

    if (record.dataObjectId() != null) {
      html.append("<h2>Events about <code>")
          .append(escape(record.dataObjectId()))
          .append(
              "</code>, in the order Stripe created them</h2><table id=\"same-object\">"
                  + "<thead><tr><th>created</th><th>event</th><th>type</th><th>status</th>"
                  + "<th>received</th></tr></thead><tbody>");
      for (EventSummary other : sameObject) {
        boolean current = other.eventId().equals(record.eventId());
        html.append(current ? "<tr class=\"current\">" : "<tr>")
            .append("<td>")
            .append(time(other.created()))
            .append("</td><td><a href=\"")
            .append(escape(eventPath(base, other.eventId())))
            .append("\"><code>")
            .append(escape(other.eventId()))
            .append("</code></a></td><td>")
            .append(escape(other.type()))
            .append("</td><td>")
            .append(badge(other.status()))
            .append("</td><td>")
            .append(time(other.receivedAt()))
            .append("</td></tr>");
      }
      html.append("</tbody></table>");
    }

    html.append("<h2>Payload</h2>");
    byte[] body = record.body();
    if (body.length == 0) {
      html.append("<p>Not kept: the in-memory inbox drops the body of a done event.</p>");
    } else {
      html.append("<pre id=\"payload\">").append(escape(pretty(body))).append("</pre>");
    }
    return end(html);
  }

  /** A small page for an error answer. */
  static String error(String base, int status, String text) {
    StringBuilder html = start(status + " · Stripe webhook events", base);
    html.append("<h1>")
        .append(status)
        .append("</h1><p id=\"error\">")
        .append(escape(text))
        .append("</p><p><a href=\"")
        .append(escape(base))
        .append("/\">« events</a></p>");
    return end(html);
  }

  /** The body as indented JSON, or as received when it is not JSON. */
  static String pretty(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      return PRETTY.toJson(JsonParser.parseString(text));
    } catch (JsonParseException e) {
      return text;
    }
  }

  static String eventPath(String base, String eventId) {
    return base + "/events/" + Html.url(eventId);
  }

  /** A page up to its content: the caller appends that, then calls {@link #end}. */
  static StringBuilder start(String title, String base) {
    return new StringBuilder(8192)
        .append(
            "<!DOCTYPE html><html lang=\"en\"><head>"
                + "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
                + "<title>")
        .append(escape(title))
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body><header><a href=\"")
        .append(escape(base))
        .append("/\">Stripe webhooks · admin</a></header><main>");
  }

  static String end(StringBuilder html) {
    return html.append("</main></body></html>").toString();
  }

  private static void message(StringBuilder html, String message) {
    if (message != null) {
      html.append("<div class=\"message\" id=\"message\">")
          .append(escape(message))
          .append("</div>");
    }
  }

  private static void input(
      StringBuilder html, String label, String name, String value, String placeholder) {
    html.append("<label>")
        .append(escape(label))
        .append("<input name=\"")
        .append(name)
        .append("\" value=\"")
        .append(escape(value))
        .append("\" placeholder=\"")
        .append(escape(placeholder))
        .append("\"></label>");
  }

  private static void option(StringBuilder html, String value, String label, boolean selected) {
    html.append("<option value=\"")
        .append(value)
        .append('"')
        .append(selected ? " selected" : "")
        .append('>')
        .append(label)
        .append("</option>");
  }

  private static void field(StringBuilder html, String name, String valueHtml) {
    html.append("<dt>").append(escape(name)).append("</dt><dd>").append(valueHtml).append("</dd>");
  }

  private static String csrfField(String csrf) {
    return "<input type=\"hidden\" name=\""
        + CsrfTokens.PARAMETER
        + "\" value=\""
        + escape(csrf)
        + "\">";
  }

  private static String badge(InboxStatus status) {
    return "<span class=\"badge " + status.code() + "\">" + status.code() + "</span>";
  }

  private static String mode(Boolean livemode) {
    return livemode == null ? "" : livemode ? "live" : "test";
  }

  private static String duration(Duration age) {
    long seconds = Math.max(0, age.getSeconds());
    if (seconds < 120) {
      return seconds + " s";
    }
    if (seconds < 7200) {
      return seconds / 60 + " min";
    }
    return seconds / 3600 + " h";
  }
}
