// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.stripewebhook.WebhookConfig.Processing;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.JdbcEventInbox;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * Times in the list's filters and cursor that no database column holds are answered 400 naming the
 * parameter, never 500 or 503, on the in-memory inbox and on H2.
 */
class AdminConsoleTimesTest {
  /** 10000-01-01T00:00:00Z: one second after the latest time allowed. */
  private static final long YEAR_10000 = 253_402_300_800L;

  /** Instant.MAX's seconds: an Instant, but beyond every database. */
  private static final long INSTANT_MAX = 31_556_889_864_403_199L;

  /** A cursor as EventQuery writes one, at this time. */
  private static String cursor(long epochSecond, long nano) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(
            ("1:" + epochSecond + ":" + nano + ":evt_forged").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void timesNoDatabaseStoresAreAnswered400OnTheInMemoryInbox() throws Exception {
    try (AdminTestApp app = new AdminTestApp(Processing.SYNC)) {
      answers400ForTimesOutOfRange(app);
    }
  }

  @Test
  void timesNoDatabaseStoresAreAnswered400OnAJdbcInbox() throws Exception {
    JdbcDataSource database = new JdbcDataSource();
    database.setURL("jdbc:h2:mem:admin-times-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    try (AdminTestApp app =
        new AdminTestApp(
            Processing.SYNC,
            new StripeWebhookAdminServlet(),
            Map.of(),
            Map.of(),
            JdbcEventInbox.create(database, InboxOptions.defaults()))) {
      answers400ForTimesOutOfRange(app);
    }
  }

  private static void answers400ForTimesOutOfRange(AdminTestApp app) throws Exception {
    String failed = app.deliverFailing("invoice.paid");
    app.failing.clear();
    Map<String, String> refused =
        Map.of(
            "from=%2B99999-01-01T00:00:00Z",
            "from:",
            "to=%2B1000000000-12-31T23:59:59Z",
            "to:",
            "from=-999999999-01-01T00:00",
            "from:",
            "to=0000-12-31T23:59",
            "to:",
            "to=9999-12-31T23:59:59.5Z",
            "to:",
            "after=" + cursor(INSTANT_MAX, 0),
            "after:",
            "after=" + cursor(YEAR_10000, 0),
            "after:",
            "after=" + cursor(YEAR_10000 - 1, Long.MAX_VALUE),
            "after:",
            "after=" + cursor(-62_135_596_801L, 0),
            "after:",
            "after=" + cursor(Long.MAX_VALUE, 0),
            "after:");
    for (Map.Entry<String, String> query : refused.entrySet()) {
      for (String path : List.of("/admin/?", "/admin/api/events?")) {
        HttpResponse<String> response = app.get(path + query.getKey());
        assertThat(response.statusCode()).as(path + query.getKey()).isEqualTo(400);
        assertThat(response.body()).as(path + query.getKey()).contains(query.getValue());
      }
    }
    String api = app.get("/admin/api/events?from=%2B99999-01-01T00:00:00Z").body();
    assertThat(JsonParser.parseString(api).getAsJsonObject().get("error").getAsString())
        .isEqualTo(
            "from: a time from 0001-01-01T00:00 to 9999-12-31T23:59:59 (UTC), was"
                + " '+99999-01-01T00:00:00Z'");

    String token = app.csrfToken();
    assertThat(
            app.post("/admin/replay", "csrf=" + token + "&from=%2B99999-01-01T00:00:00Z")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            app.post("/admin/replay", "csrf=" + token + "&to=%2B1000000000-12-31T23:59:59Z")
                .statusCode())
        .isEqualTo(400);
    assertThat(app.runs(failed)).isEqualTo(1);

    assertThat(app.get("/admin/?from=0001-01-01T00:00&to=9999-12-31T23:59:59").body())
        .contains(failed);
    assertThat(app.get("/admin/api/events?after=" + cursor(YEAR_10000 - 1, 0)).body())
        .contains(failed);
    assertThat(app.get("/admin/api/events?after=" + cursor(YEAR_10000 - 1, 0)).statusCode())
        .isEqualTo(200);
  }
}
