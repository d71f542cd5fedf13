// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.WebhookConfig.Processing;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** The console with async processing, and without any filter (opened: no login either). */
class AdminConsoleAsyncTest {

  private static JsonObject event(AdminTestApp app, String id) throws Exception {
    return JsonParser.parseString(app.get("/admin/api/events/" + id).body()).getAsJsonObject();
  }

  private static void awaitStatus(AdminTestApp app, String id, String status) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!event(app, id).get("status").getAsString().equals(status)) {
      assertThat(System.nanoTime()).as("%s becomes %s", id, status).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void aReplayWithAsyncProcessingLeavesTheEventToTheWorkers() throws Exception {
    try (AdminTestApp app = new AdminTestApp(Processing.ASYNC)) {
      String failed = app.deliverFailing("invoice.paid");
      awaitStatus(app, failed, "failed");
      app.failing.clear();
      String token =
          JsonParser.parseString(app.get("/admin/api/csrf").body())
              .getAsJsonObject()
              .get("token")
              .getAsString();

      HttpResponse<String> replay =
          app.postWithToken("/admin/api/events/" + failed + "/replay", token);

      assertThat(replay.statusCode()).isEqualTo(200);
      JsonObject answer = JsonParser.parseString(replay.body()).getAsJsonObject();
      assertThat(answer.get("replayed").getAsBoolean()).isTrue();
      assertThat(answer.get("outcome").isJsonNull()).isTrue();
      awaitStatus(app, failed, "done");
      assertThat(app.runs(failed)).isEqualTo(2);
      assertThat(event(app, failed).get("attempts").getAsInt()).isEqualTo(2);
    }
  }

  @Test
  void withoutTheFilterTheConsoleAnswers503() throws Exception {
    Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder console = new ServletHolder(new StripeWebhookAdminServlet());
    console.setInitParameter(StripeWebhookAdminServlet.OPEN_PARAMETER, "true");
    context.addServlet(console, "/admin/*");
    server.setHandler(context);
    server.start();
    try {
      int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
      HttpClient client = HttpClient.newHttpClient();
      for (String path : new String[] {"/admin/", "/admin/api/events"}) {
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("StripeWebhookFilter has not started");
      }
    } finally {
      server.stop();
    }
  }
}
