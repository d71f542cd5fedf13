// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import static dev.stripewebhook.recovery.RecordedEventsApi.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.RecordingHandler;
import dev.stripewebhook.recovery.RecordedEventsApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code recover} against the recorded Events API, with the JDBC inbox on H2. */
class RecoveryCommandTest {
  final RecordedEventsApi api = new RecordedEventsApi();

  @BeforeEach
  void startRecordedStripe() throws IOException {
    api.start();
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  int command(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--api-base";
    all[args.length + 1] = api.base();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    Map<String, String> environment =
        Map.of(
            "STRIPE_WEBHOOK_SECRET",
            RecordedEventsApi.SECRET,
            "STRIPE_API_KEY",
            RecordedEventsApi.API_KEY);
    return RecoveryCommand.run(all, out, out, environment::get);
  }

  String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theCommandStoresInTheDatabaseRunsServiceLoadedHandlersAndIsSafeToRunTwice()
      throws Exception {
    String url = "jdbc:h2:mem:recovery_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    RecordingHandler.SEEN.clear();
    assertThat(command("--since", "30d", "--undelivered-only", "--jdbc-url", url)).isZero();
    assertThat(RecordingHandler.SEEN)
        .containsExactly(id(api.oldest), id(api.middle), id(api.newest));
    assertThat(printed())
        .contains(id(api.newest) + " invoice.paid ")
        .contains("3 listed, 3 stored, 0 already present, 0 refused, 3 processed");

    RecordingHandler.SEEN.clear();
    printed.reset();
    assertThat(command("--since", "30d", "--undelivered-only", "--jdbc-url", url)).isZero();
    assertThat(RecordingHandler.SEEN).isEmpty();
    assertThat(printed())
        .contains("3 listed, 0 stored, 3 already present, 0 refused, 0 processed")
        .doesNotContain(RecordedEventsApi.API_KEY)
        .doesNotContain(RecordedEventsApi.SECRET);
  }

  @Test
  void theCommandsDryRunNeedsNoDatabase() throws Exception {
    RecordingHandler.SEEN.clear();
    long before = Instant.now().minus(Duration.ofDays(2)).getEpochSecond();
    assertThat(command("--since", "2d", "--dry-run")).isZero();
    long after = Instant.now().minus(Duration.ofDays(2)).getEpochSecond();
    assertThat(RecordingHandler.SEEN).isEmpty();
    assertThat(printed()).contains("Dry run: 3 listed, 3 not in the inbox");
    String query = api.queries.get(0);
    int at = query.indexOf("created[gte]=") + "created[gte]=".length();
    assertThat(Long.parseLong(query.substring(at, query.indexOf('&', at))))
        .isBetween(before, after);
  }

  @Test
  void badOptionsExitWith2AndOneLineSaysWhy() throws Exception {
    assertThat(command("--jdbc-url", "jdbc:h2:mem:x")).isEqualTo(2);
    assertThat(command("--since", "last week", "--dry-run")).isEqualTo(2);
    assertThat(command("--since", "30d")).isEqualTo(2);
    assertThat(command("--since", "2d", "--until", "3d", "--dry-run")).isEqualTo(2);
    assertThat(command("--since", "2d", "--dry-run", "--type", "invoice.*,charge.refunded"))
        .isEqualTo(2);
    assertThat(command("--since", "2d", "--verbose")).isEqualTo(2);
    assertThat(printed())
        .contains("--since is required")
        .contains("--since: 'last week' is neither a period before now")
        .contains("--jdbc-url is required")
        .contains("is not before --until")
        .contains("--type: a wildcard type works alone")
        .contains("unknown option --verbose");
    assertThat(api.queries).isEmpty();
  }

  @Test
  void fromTheV2EventsApiItStoresThinNotificationsAndSkipsWhatTheInboxHolds() throws Exception {
    String url = "jdbc:h2:mem:recovery_v2_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    RecordingHandler.SEEN.clear();
    assertThat(
            command(
                "--since", "30d", "--events-api", "v2", "--undelivered-only", "--jdbc-url", url))
        .isZero();
    assertThat(RecordingHandler.SEEN)
        .containsExactly(id(api.v2Oldest), id(api.v2Middle), id(api.v2Newest));
    assertThat(api.queries).isEmpty();
    assertThat(api.v2Queries).hasSize(2);
    assertThat(printed())
        .contains(id(api.v2Newest) + " v2.core.event_destination.ping ")
        .contains("3 listed, 3 stored, 0 already present, 0 refused, 3 processed");

    RecordingHandler.SEEN.clear();
    printed.reset();
    assertThat(
            command(
                "--since", "30d", "--events-api", "v2", "--undelivered-only", "--jdbc-url", url))
        .isZero();
    assertThat(RecordingHandler.SEEN).isEmpty();
    assertThat(printed())
        .contains(
            id(api.v2Oldest) + " v1.billing.meter.error_report_triggered: already in the inbox")
        .contains("3 listed, 0 stored, 3 already present, 0 refused, 0 processed");
  }

  @Test
  void aV2DryRunSendsTheFiltersAndChangesNothing() throws Exception {
    RecordingHandler.SEEN.clear();
    assertThat(
            command(
                "--since",
                "2026-11-01T00:00:00Z",
                "--until",
                "2026-11-02",
                "--events-api",
                "v2",
                "--type",
                "v1.billing.meter.error_report_triggered",
                "--object",
                "mtr_test_61RCjiqdTDC91zgip41IqPCzPnxqqSVc",
                "--dry-run"))
        .isZero();
    assertThat(RecordingHandler.SEEN).isEmpty();
    assertThat(printed()).contains("Dry run: 3 listed, 3 not in the inbox");
    assertThat(api.v2Queries.get(0))
        .startsWith("GET /v2/core/events?")
        .contains("types[0]=v1.billing.meter.error_report_triggered")
        .contains("object_id=mtr_test_61RCjiqdTDC91zgip41IqPCzPnxqqSVc")
        .contains("created[gte]=2026-11-01T00:00:00Z")
        .contains("created[lt]=2026-11-02T00:00:00Z");
  }

  @Test
  void badV2OptionsExitWith2() throws Exception {
    assertThat(command("--since", "2d", "--dry-run", "--events-api", "v3")).isEqualTo(2);
    assertThat(
            command(
                "--since", "2d", "--dry-run", "--events-api", "v2", "--type", "v1.billing.meter.*"))
        .isEqualTo(2);
    assertThat(command("--since", "2d", "--dry-run", "--object", "mtr_1")).isEqualTo(2);
    assertThat(printed())
        .contains("--events-api: 'v3' is neither v1 (snapshot events) nor v2 (thin events)")
        .contains("--type: the v2 Events API filters by exact types only")
        .contains("--object: only the v2 Events API filters by object id");
    assertThat(api.queries).isEmpty();
    assertThat(api.v2Queries).isEmpty();
  }

  @Test
  void anApiErrorExitsWith3AndNeverShowsTheKey() throws Exception {
    api.rejectKey = true;
    assertThat(command("--since", "2d", "--dry-run")).isEqualTo(RecoveryCommand.API_ERROR);
    assertThat(command("--since", "2d", "--dry-run", "--events-api", "v2"))
        .isEqualTo(RecoveryCommand.API_ERROR);
    assertThat(printed())
        .contains(
            "Stripe's Events API could not be read (HTTP 401): Invalid API Key provided: (key)")
        .doesNotContain(RecordedEventsApi.API_KEY)
        .doesNotContain("sk_test_")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(api.v2Queries).hasSize(1);
  }
}
