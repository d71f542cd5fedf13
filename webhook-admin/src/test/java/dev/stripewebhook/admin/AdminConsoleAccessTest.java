// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.WebhookConfig.Processing;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who the console serves: only an authenticated user in its role, unless opened for development;
 * every page, API call and action alike.
 */
class AdminConsoleAccessTest {
  private static final String ROLE = StripeWebhookAdminServlet.ROLE_PARAMETER;
  private static final String OPEN = StripeWebhookAdminServlet.OPEN_PARAMETER;

  private final LogCapture log = LogCapture.of("dev.stripewebhook.admin");
  private AdminTestApp app;

  @AfterEach
  void stop() throws Exception {
    log.close();
    if (app != null) {
      app.close();
    }
  }

  private void start(Map<String, String> initParameters, Map<String, String> contextParameters)
      throws Exception {
    app =
        new AdminTestApp(
            Processing.SYNC, new StripeWebhookAdminServlet(), initParameters, contextParameters);
  }

  private HttpResponse<String> delete(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(app.uri(path)).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  @Test
  void withoutAUserEveryPageApiCallAndActionIsAnswered401WithoutInboxDetails() throws Exception {
    start(Map.of(), Map.of());
    String failed = app.deliverFailing("invoice.paid");
    app.failing.clear();
    app.user = null;

    for (String path :
        List.of("/admin/", "/admin/events/" + failed, "/admin/nothing", "/admin/?status=failed")) {
      HttpResponse<String> page = app.get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(401);
      assertThat(page.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
      assertThat(page.headers().firstValue("WWW-Authenticate")).isEmpty();
      assertThat(page.body())
          .contains("Sign in first")
          .doesNotContain(failed)
          .doesNotContain("csrf");
    }
    for (String path :
        List.of(
            "/admin/api/events",
            "/admin/api/events/" + failed,
            "/admin/api/counts",
            "/admin/api/csrf")) {
      HttpResponse<String> api = app.get(path);
      assertThat(api.statusCode()).as(path).isEqualTo(401);
      assertThat(api.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
      assertThat(json(api).get("reason").getAsString()).isEqualTo("admin-authentication-required");
      assertThat(api.body()).doesNotContain(failed).doesNotContain("token");
    }
    assertThat(app.post("/admin/events/" + failed + "/replay", "").statusCode()).isEqualTo(401);
    assertThat(app.post("/admin/replay", "").statusCode()).isEqualTo(401);
    assertThat(app.postWithToken("/admin/api/events/" + failed + "/resolve", "x").statusCode())
        .isEqualTo(401);
    assertThat(app.postWithToken("/admin/api/recover", "x").statusCode()).isEqualTo(401);
    assertThat(delete("/admin/events/" + failed).statusCode()).isEqualTo(401);

    assertThat(app.runs(failed)).isEqualTo(1);
    app.user = AdminTestApp.USER;
    assertThat(json(app.get("/admin/api/events/" + failed)).get("status").getAsString())
        .isEqualTo("failed");
  }

  @Test
  void aUserWithoutTheRoleIsAnswered403AndLogged() throws Exception {
    start(Map.of(), Map.of());
    String event = app.deliver("invoice.paid");
    app.roles = Set.of("shop-clerk");

    HttpResponse<String> page = app.get("/admin/");
    HttpResponse<String> api = app.get("/admin/api/events/" + event);

    assertThat(page.statusCode()).isEqualTo(403);
    assertThat(page.body()).contains("not in the admin console").doesNotContain(event);
    assertThat(api.statusCode()).isEqualTo(403);
    assertThat(json(api).get("reason").getAsString()).isEqualTo("admin-role-required");
    assertThat(api.body()).doesNotContain(event);
    assertThat(app.postWithToken("/admin/api/events/" + event + "/replay", "x").statusCode())
        .isEqualTo(403);
    assertThat(log.lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("WARNING")
                    .contains(AdminTestApp.USER)
                    .contains("not in role stripe-webhook-admin"));
  }

  @Test
  void aUserInTheDefaultRoleIsServedAndStartUpLogsTheRole() throws Exception {
    start(Map.of(), Map.of());
    String event = app.deliver("invoice.paid");

    HttpResponse<String> page = app.get("/admin/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains(event);
    assertThat(app.get("/admin/api/events/" + event).statusCode()).isEqualTo(200);
    assertThat(log.lines())
        .filteredOn(line -> line.contains("serves only authenticated users"))
        .singleElement()
        .satisfies(
            line -> assertThat(line).startsWith("INFO").contains("role stripe-webhook-admin"));
  }

  @Test
  void theRoleComesFromTheInitParameterBeforeTheContextParameter() throws Exception {
    start(Map.of(ROLE, "payments-ops"), Map.of(ROLE, "context-role"));
    app.deliver("invoice.paid");

    assertThat(app.get("/admin/").statusCode()).isEqualTo(403);
    app.roles = Set.of("context-role");
    assertThat(app.get("/admin/").statusCode()).isEqualTo(403);
    app.roles = Set.of("payments-ops");
    assertThat(app.get("/admin/").statusCode()).isEqualTo(200);
    assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains("role payments-ops"));
  }

  @Test
  void theRoleComesFromTheContextParameterWhenTheServletHasNone() throws Exception {
    start(Map.of(), Map.of(ROLE, "payments-ops"));

    assertThat(app.get("/admin/").statusCode()).isEqualTo(403);
    app.roles = Set.of("payments-ops");
    assertThat(app.get("/admin/").statusCode()).isEqualTo(200);
  }

  @Test
  void theOpenSwitchServesRequestsWithoutAUserAndWarnsAtStartUp() throws Exception {
    start(Map.of(OPEN, "true"), Map.of());
    String event = app.deliver("invoice.paid");
    app.user = null;

    assertThat(app.get("/admin/").statusCode()).isEqualTo(200);
    assertThat(app.get("/admin/api/events/" + event).statusCode()).isEqualTo(200);
    assertThat(log.lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("WARNING")
                    .contains("stripe.webhook.admin.open=true")
                    .contains(
                        "the admin console is open to anyone who can reach it; for development only"));
  }

  @Test
  void aBlankRoleOrAnOpenValueOtherThanTrueOrFalseStopsStartUpNamingTheParameter() {
    assertThatThrownBy(() -> init(Map.of(ROLE, " ")))
        .isInstanceOf(ServletException.class)
        .hasMessageStartingWith(ROLE + " is blank");
    assertThatThrownBy(() -> init(Map.of(OPEN, "yes")))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining(OPEN + ": true or false");
  }

  /** Initializes a console outside any server, with these init parameters. */
  private static void init(Map<String, String> parameters) throws ServletException {
    ServletContext context =
        (ServletContext)
            Proxy.newProxyInstance(
                ServletContext.class.getClassLoader(),
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> null);
    new StripeWebhookAdminServlet()
        .init(
            new ServletConfig() {
              @Override
              public String getServletName() {
                return "admin";
              }

              @Override
              public ServletContext getServletContext() {
                return context;
              }

              @Override
              public String getInitParameter(String name) {
                return parameters.get(name);
              }

              @Override
              public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(parameters.keySet());
              }
            });
  }
}
