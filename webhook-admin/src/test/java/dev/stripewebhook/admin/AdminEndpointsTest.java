// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.WebhookConfig.Processing;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console over two endpoints of one application: the default one with handlers, and "connect",
 * whose processing is the servlet behind its filter.
 */
class AdminEndpointsTest {
  AdminTestApp app;

  @BeforeEach
  void start() throws Exception {
    app = new AdminTestApp(Processing.SYNC);
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
  }

  static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  @Test
  void aReplayOfAPassDownEndpointsEventIsRefusedAndNeverMarksItDone() throws Exception {
    app.connectAnswer = 500;
    String id = app.deliverToConnect("invoice.paid");
    assertThat(app.connectCalls).hasValue(1);
    assertThat(json(app.get("/admin/api/events/" + id)).get("status").getAsString())
        .isEqualTo("failed");

    String token = json(app.get("/admin/api/csrf")).get("token").getAsString();
    HttpResponse<String> replay = app.postWithToken("/admin/api/events/" + id + "/replay", token);
    assertThat(replay.statusCode()).isEqualTo(409);
    assertThat(replay.body()).contains("only in a delivery").contains("Resend");
    HttpResponse<String> selection =
        app.post("/admin/replay", "csrf=" + token + "&endpoint=connect");
    assertThat(selection.statusCode()).isEqualTo(303);
    assertThat(json(app.get("/admin/api/events/" + id)).get("status").getAsString())
        .as("still failed: Stripe's next delivery runs the servlet")
        .isEqualTo("failed");
    assertThat(app.connectCalls).hasValue(1);
  }

  @Test
  void theEventApiNamesEachEventsEndpointAndTheListShowsOneEndpointAtATime() throws Exception {
    String mine = app.deliver("invoice.paid");
    String theirs = app.deliverToConnect("customer.created");

    assertThat(json(app.get("/admin/api/events/" + mine)).get("endpoint").getAsString())
        .isEqualTo("default");
    assertThat(json(app.get("/admin/api/events/" + theirs)).get("endpoint").getAsString())
        .isEqualTo("connect");

    String defaultList = app.get("/admin/").body();
    assertThat(defaultList)
        .contains(mine)
        .doesNotContain(theirs)
        .contains("id=\"endpoint\">default<")
        .contains("?endpoint=connect");
    String connectList = app.get("/admin/?endpoint=connect").body();
    assertThat(connectList)
        .contains(theirs)
        .doesNotContain(mine)
        .contains("id=\"endpoint\">connect<");
    assertThat(app.get("/admin/?endpoint=nowhere").statusCode()).isEqualTo(404);
  }
}
