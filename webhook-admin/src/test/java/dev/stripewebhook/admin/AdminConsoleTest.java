// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.WebhookConfig.Processing;
import dev.stripewebhook.testing.StripeFixtures;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin console over HTTP, on embedded Jetty, with the filter processing in sync mode. */
class AdminConsoleTest {
  private static final Pattern NEXT = Pattern.compile("id=\"next\" href=\"([^\"]+)\"");

  private LogCapture log;
  private AdminTestApp app;

  @BeforeEach
  void start() throws Exception {
    log = LogCapture.of("dev.stripewebhook.admin");
    app = new AdminTestApp(Processing.SYNC);
  }

  @AfterEach
  void stop() throws Exception {
    log.close();
    app.close();
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  private String status(String eventId) throws Exception {
    return json(app.get("/admin/api/events/" + eventId)).get("status").getAsString();
  }

  // --- list -----------------------------------------------------------------------------------

  @Test
  void listShowsTheEventsWithCountsAndFiltersByStatusTypeAndSearch() throws Exception {
    String paid = app.deliver("invoice.paid");
    String failed = app.deliverFailing("charge.refunded");
    JsonObject subscription = StripeFixtures.eventJson("customer.subscription.updated");
    subscription.getAsJsonObject("data").getAsJsonObject("object").addProperty("id", "sub_found");
    String about = app.deliver(subscription);

    HttpResponse<String> all = app.get("/admin/");
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(all.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(all.body())
        .contains(paid, failed, about)
        .contains("data-status=\"done\">2<")
        .contains("data-status=\"failed\">1<")
        .contains("id=\"backlog\">1<");

    assertThat(app.get("/admin/?status=failed").body())
        .contains(failed)
        .doesNotContain(paid)
        .doesNotContain(about);
    assertThat(app.get("/admin/?type=invoice.paid").body())
        .contains(paid)
        .doesNotContain(failed)
        .doesNotContain(about);
    assertThat(app.get("/admin/?q=sub_found").body())
        .contains(about)
        .doesNotContain(paid)
        .doesNotContain(failed);
    assertThat(app.get("/admin/?q=" + paid).body()).contains(paid).doesNotContain(about);
    assertThat(app.get("/admin/?status=done&mode=live").body()).contains("No event matches");
  }

  @Test
  void pagesThroughTheListByCursorLinks() throws Exception {
    List<String> delivered = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      delivered.add(app.deliver("invoice.paid"));
    }
    List<String> seen = new ArrayList<>();
    String path = "/admin/?limit=2";
    int pages = 0;
    while (path != null) {
      String body = app.get(path).body();
      pages++;
      for (String id : delivered) {
        if (body.contains(">" + id + "<")) {
          seen.add(id);
        }
      }
      Matcher next = NEXT.matcher(body);
      path = next.find() ? next.group(1).replace("&amp;", "&") : null;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(delivered);
    assertThat(app.get("/admin/?after=not-a-cursor").statusCode()).isEqualTo(400);
  }

  // --- event page -----------------------------------------------------------------------------

  @Test
  void eventPageShowsDeliveryPayloadAttemptsAndTheObjectsEventsAllEscaped() throws Exception {
    JsonObject later = StripeFixtures.eventJson("customer.subscription.updated");
    JsonObject earlier = StripeFixtures.eventJson("customer.subscription.created");
    for (JsonObject event : List.of(later, earlier)) {
      JsonObject object = event.getAsJsonObject("data").getAsJsonObject("object");
      object.addProperty("id", "sub_escaped");
      JsonObject metadata = new JsonObject();
      metadata.addProperty("note", "<script>alert('owned')</script>");
      object.add("metadata", metadata);
    }
    later.addProperty("created", 1_700_000_200L);
    earlier.addProperty("created", 1_700_000_100L);
    app.failing.add(later.get("id").getAsString());
    String laterId = app.deliver(later);
    String earlierId = app.deliver(earlier);

    HttpResponse<String> page = app.get("/admin/events/" + laterId);

    assertThat(page.statusCode()).isEqualTo(200);
    String body = page.body();
    assertThat(body)
        .doesNotContain("<script")
        .doesNotContain("<img src=x")
        .contains("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;")
        .contains("ledger down &lt;img src=x onerror=alert(1)&gt;");
    assertThat(body).contains("id=\"payload\"").contains("&quot;id&quot;: &quot;" + laterId);
    assertThat(body)
        .containsPattern("id=\"signature\">t=\\d+, v1=…</code>")
        .doesNotContainPattern("v1=[0-9a-f]{64}")
        .contains("127.0.0.1");
    assertThat(body)
        .contains("id=\"attempts\"")
        .contains(">failed<")
        .contains("id=\"replay\"")
        .contains("id=\"resolve\"");
    String sameObject = body.substring(body.indexOf("id=\"same-object\""));
    assertThat(sameObject.indexOf(earlierId)).isPositive().isLessThan(sameObject.indexOf(laterId));
    assertThat(app.get("/admin/events/evt_not_stored").statusCode()).isEqualTo(404);
  }

  // --- actions --------------------------------------------------------------------------------

  @Test
  void refusesActionsWithoutTheSessionsCsrfToken() throws Exception {
    String failed = app.deliverFailing("invoice.paid");
    app.failing.clear();
    app.csrfToken(); // the session exists, with a token

    assertThat(app.post("/admin/events/" + failed + "/replay", "").statusCode()).isEqualTo(403);
    assertThat(app.post("/admin/events/" + failed + "/replay", "csrf=forged").statusCode())
        .isEqualTo(403);
    assertThat(app.post("/admin/events/" + failed + "/resolve", "").statusCode()).isEqualTo(403);
    assertThat(app.post("/admin/replay", "type=invoice.paid").statusCode()).isEqualTo(403);
    HttpResponse<String> api = app.post("/admin/api/events/" + failed + "/replay", "");
    assertThat(api.statusCode()).isEqualTo(403);
    assertThat(json(api).get("status").getAsInt()).isEqualTo(403);

    assertThat(app.runs(failed)).isEqualTo(1);
    assertThat(status(failed)).isEqualTo("failed");
    assertThat(log.messages())
        .anySatisfy(line -> assertThat(line).contains(AdminTestApp.USER).contains("refused"));
    assertThat(app.get("/admin/events/" + failed + "/replay").statusCode()).isEqualTo(404);
  }

  @Test
  void refusesATokenInTheQueryStringOrInABodyThatIsNotAForm() throws Exception {
    String failed = app.deliverFailing("invoice.paid");
    app.failing.clear();
    String token = app.csrfToken();
    String replay = "/admin/events/" + failed + "/replay";
    String apiReplay = "/admin/api/events/" + failed + "/replay";

    assertThat(app.post(replay + "?csrf=" + token, "").statusCode()).isEqualTo(403);
    assertThat(app.post(apiReplay + "?csrf=" + token, "").statusCode()).isEqualTo(403);
    assertThat(app.post(replay + "?%63srf=" + token, "").statusCode()).isEqualTo(403);
    assertThat(app.post(replay + "?csrf=" + token, "csrf=" + token).statusCode()).isEqualTo(403);
    assertThat(app.postWithToken(apiReplay + "?csrf=" + token, token).statusCode()).isEqualTo(403);
    HttpResponse<String> plain = app.post(replay, "text/plain", "csrf=" + token);
    assertThat(plain.statusCode()).isEqualTo(403);
    assertThat(plain.body()).contains("never in the URL");
    assertThat(app.runs(failed)).isEqualTo(1);
    assertThat(status(failed)).isEqualTo("failed");

    assertThat(app.post(replay + "?from=list", "csrf=" + token).statusCode()).isEqualTo(303);
    assertThat(status(failed)).isEqualTo("done");
  }

  @Test
  void replayRunsTheHandlersOnceInSyncModeAndLogsWhoDidIt() throws Exception {
    String failed = app.deliverFailing("invoice.paid");
    assertThat(app.runs(failed)).isEqualTo(1);
    app.failing.clear(); // the bug is fixed

    HttpResponse<String> replay =
        app.post("/admin/events/" + failed + "/replay", "csrf=" + app.csrfToken());

    assertThat(replay.statusCode()).isEqualTo(303);
    assertThat(replay.headers().firstValue("Location")).contains("/admin/events/" + failed);
    assertThat(app.runs(failed)).isEqualTo(2);
    assertThat(status(failed)).isEqualTo("done");
    assertThat(app.get("/admin/events/" + failed).body())
        .contains("id=\"message\"")
        .contains("Replayed")
        .contains(">done<")
        .doesNotContain("id=\"replay\"");
    assertThat(log.messages())
        .anySatisfy(
            line -> assertThat(line).contains(AdminTestApp.USER).contains("replayed " + failed));

    HttpResponse<String> again =
        app.post("/admin/events/" + failed + "/replay", "csrf=" + app.csrfToken());
    assertThat(again.statusCode()).isEqualTo(303);
    assertThat(app.runs(failed)).isEqualTo(2);
  }

  @Test
  void markResolvedClosesAFailedEventWithoutRunningItsHandlers() throws Exception {
    String failed = app.deliverFailing("invoice.paid");

    HttpResponse<String> resolve =
        app.post("/admin/events/" + failed + "/resolve", "csrf=" + app.csrfToken());

    assertThat(resolve.statusCode()).isEqualTo(303);
    assertThat(status(failed)).isEqualTo("resolved");
    assertThat(app.runs(failed)).isEqualTo(1);
    assertThat(log.messages())
        .anySatisfy(
            line -> assertThat(line).contains(AdminTestApp.USER).contains("resolved " + failed));
    String done = app.deliver("invoice.paid");
    assertThat(
            app.post("/admin/events/" + done + "/resolve", "csrf=" + app.csrfToken()).statusCode())
        .isEqualTo(303);
    assertThat(status(done)).isEqualTo("done");
  }

  @Test
  void replaysASelectionOfFailedEventsByTypeAndByReceivedRange() throws Exception {
    String refundOne = app.deliverFailing("charge.refunded");
    String refundTwo = app.deliverFailing("charge.refunded");
    String invoice = app.deliverFailing("invoice.paid");
    app.failing.clear();
    String token = app.csrfToken();

    assertThat(app.post("/admin/replay", "csrf=" + token + "&to=2000-01-01T00:00").statusCode())
        .isEqualTo(303);
    assertThat(status(refundOne)).isEqualTo("failed");

    HttpResponse<String> selection =
        app.post("/admin/replay", "csrf=" + token + "&type=charge.refunded&from=2000-01-01T00:00");

    assertThat(selection.statusCode()).isEqualTo(303);
    assertThat(status(refundOne)).isEqualTo("done");
    assertThat(status(refundTwo)).isEqualTo("done");
    assertThat(status(invoice)).isEqualTo("failed");
    assertThat(app.runs(refundOne)).isEqualTo(2);
    assertThat(app.get("/admin/").body()).contains("Replayed 2 failed or dead events");
    assertThat(log.messages())
        .anySatisfy(line -> assertThat(line).contains(AdminTestApp.USER).contains("Replayed 2"));
  }

  // --- JSON API -------------------------------------------------------------------------------

  @Test
  void jsonApiListsShowsCountsReplaysAndAnswers404ForUnknownIds() throws Exception {
    String paid = app.deliver("invoice.paid");
    String failed = app.deliverFailing("charge.refunded");
    app.failing.clear();

    JsonObject list = json(app.get("/admin/api/events?status=failed"));
    assertThat(list.getAsJsonArray("events")).hasSize(1);
    assertThat(list.getAsJsonArray("events").get(0).getAsJsonObject().get("id").getAsString())
        .isEqualTo(failed);
    assertThat(list.get("next").isJsonNull()).isTrue();

    HttpResponse<String> eventResponse = app.get("/admin/api/events/" + failed);
    assertThat(eventResponse.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonObject event = json(eventResponse);
    assertThat(event.get("id").getAsString()).isEqualTo(failed);
    assertThat(event.get("type").getAsString()).isEqualTo("charge.refunded");
    assertThat(event.get("status").getAsString()).isEqualTo("failed");
    assertThat(event.get("attempts").getAsInt()).isEqualTo(1);
    assertThat(
            event
                .getAsJsonArray("attemptHistory")
                .get(0)
                .getAsJsonObject()
                .get("error")
                .getAsString())
        .contains("ledger down");
    assertThat(event.getAsJsonObject("delivery").get("signature").getAsString())
        .matches("t=\\d+, v1=…");
    assertThat(event.getAsJsonObject("payload").get("id").getAsString()).isEqualTo(failed);

    JsonObject counts = json(app.get("/admin/api/counts"));
    assertThat(counts.getAsJsonObject("counts").get("done").getAsLong()).isEqualTo(1);
    assertThat(counts.getAsJsonObject("counts").get("failed").getAsLong()).isEqualTo(1);
    assertThat(counts.getAsJsonObject("backlog").get("events").getAsLong()).isEqualTo(1);

    String token = json(app.get("/admin/api/csrf")).get("token").getAsString();
    HttpResponse<String> replay =
        app.postWithToken("/admin/api/events/" + failed + "/replay", token);
    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(json(replay).get("outcome").getAsString()).isEqualTo("done");
    JsonObject replayed = json(app.get("/admin/api/events/" + failed));
    assertThat(replayed.get("status").getAsString()).isEqualTo("done");
    assertThat(replayed.get("attempts").getAsInt()).isEqualTo(2);
    assertThat(app.runs(failed)).isEqualTo(2);
    assertThat(app.postWithToken("/admin/api/events/" + paid + "/replay", token).statusCode())
        .isEqualTo(409);

    assertThat(app.get("/admin/api/events/evt_unknown").statusCode()).isEqualTo(404);
    assertThat(json(app.get("/admin/api/events/evt_unknown")).get("status").getAsInt())
        .isEqualTo(404);
    assertThat(app.postWithToken("/admin/api/events/evt_unknown/replay", token).statusCode())
        .isEqualTo(404);
    assertThat(app.get("/admin/api/events?status=nonsense").statusCode()).isEqualTo(400);
    assertThat(app.get("/admin/api/nothing").statusCode()).isEqualTo(404);
  }
}
