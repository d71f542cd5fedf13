// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {

  static Function<String, String> source(Map<String, String> values) {
    return values::get;
  }

  @Test
  void defaultsAreStripesTolerancesAndOneMebibyte() {
    WebhookConfig config = WebhookConfig.builder().secrets("whsec_a").build();
    assertThat(config.verification().tolerance()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.edge().maxBody()).isEqualTo(1 << 20);
    assertThat(config.processing().handlers()).isEmpty();
  }

  @Test
  void firstSourceWinsAndEnvironmentNamesAreAskedToo() {
    WebhookConfig config =
        WebhookConfig.fromSources(
            source(Map.of(WebhookConfig.Keys.TOLERANCE, "60")),
            source(
                Map.of(WebhookConfig.Keys.TOLERANCE, "120", WebhookConfig.Keys.MAX_BODY, "2048")),
            source(Map.of("STRIPE_WEBHOOK_SECRET", " whsec_old , whsec_new ,")));
    assertThat(config.verification().tolerance()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.edge().maxBody()).isEqualTo(2048);
    assertThat(config.verification().secrets()).containsExactly("whsec_old", "whsec_new");
  }

  @Test
  void readsHandlerClassNames() {
    WebhookConfig config =
        WebhookConfig.fromSources(
            source(
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    "whsec_a",
                    WebhookConfig.Keys.HANDLERS,
                    "a.B, c.D")));
    assertThat(config.processing().handlers()).containsExactly("a.B", "c.D");
  }

  @Test
  void failsAtStartupWithoutSecret() {
    assertThatThrownBy(() -> WebhookConfig.fromSources(source(Map.of())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("stripe.webhook.secrets: no webhook signing secret")
        .hasMessageContaining("STRIPE_WEBHOOK_SECRET");
  }

  @Test
  void failsAtStartupWhenSecretLacksWhsecPrefix() {
    assertThatThrownBy(() -> WebhookConfig.builder().secrets("whsec_ok", "sk_test_4eC39Hq").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secret 2 of 2 does not start with whsec_")
        .hasMessageContaining("sk_test_, which is an API key")
        .hasMessageNotContaining("4eC39Hq");
    assertThatThrownBy(() -> WebhookConfig.builder().secrets("whsec_").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void failsAtStartupOnABadNumberNamingTheKey() {
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.TOLERANCE,
                            "5m"))))
        .hasMessage("stripe.webhook.tolerance: '5m' is not a whole number of seconds");
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.MAX_BODY,
                            "0"))))
        .hasMessageStartingWith("stripe.webhook.max-body: must be between 1 and");
    assertThatThrownBy(() -> WebhookConfig.builder().tolerance(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("stripe.webhook.tolerance");
  }

  @Test
  void inboxDefaultsAreSyncInMemoryTenAttemptsAndThirtyDays() {
    WebhookConfig config = WebhookConfig.builder().secrets("whsec_a").build();
    assertThat(config.processing().mode()).isEqualTo(WebhookConfig.Processing.SYNC);
    assertThat(config.processing().dataSource()).isEmpty();
    assertThat(config.processing().attempts()).isEqualTo(10);
    assertThat(config.processing().workers()).isEqualTo(2);
    assertThat(config.processing().retentionDays()).isEqualTo(30);
  }

  @Test
  void readsInboxKeysFromTheirNamesAndEnvironmentNames() {
    WebhookConfig config =
        WebhookConfig.fromSources(
            source(
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    "whsec_a",
                    WebhookConfig.Keys.PROCESSING,
                    "ASYNC",
                    "STRIPE_WEBHOOK_DATASOURCE",
                    "java:comp/env/jdbc/stripe",
                    WebhookConfig.Keys.ATTEMPTS,
                    "5",
                    "STRIPE_WEBHOOK_WORKERS",
                    "8",
                    "STRIPE_WEBHOOK_RETENTION_DAYS",
                    "7")));
    assertThat(config.processing().workers()).isEqualTo(8);
    assertThat(config.processing().mode()).isEqualTo(WebhookConfig.Processing.ASYNC);
    assertThat(config.processing().dataSource()).contains("java:comp/env/jdbc/stripe");
    assertThat(config.processing().attempts()).isEqualTo(5);
    assertThat(config.processing().retentionDays()).isEqualTo(7);
  }

  @Test
  void failsAtStartupOnABadInboxValueNamingTheKey() {
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.PROCESSING,
                            "later"))))
        .hasMessage("stripe.webhook.processing: 'later' is neither sync nor async");
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.ATTEMPTS,
                            "0"))))
        .hasMessageStartingWith("stripe.webhook.attempts: must be between 1 and 1000");
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.RETENTION_DAYS,
                            "-1"))))
        .hasMessageStartingWith("stripe.webhook.retention-days: must be between 1 and");
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.WORKERS,
                            "65"))))
        .hasMessageStartingWith("stripe.webhook.workers: must be between 1 and 64");
  }

  @Test
  void toStringShowsNoSecret() {
    WebhookConfig config = WebhookConfig.builder().secrets("whsec_hidden_value").build();
    assertThat(config.toString()).doesNotContain("hidden").contains("secrets=1+");
  }

  @Test
  void debugModeIsOffByDefaultAndReadsAnInstantWithinADay() {
    assertThat(WebhookConfig.builder().secrets("whsec_a").build().operations().debugUntil())
        .isEmpty();
    java.time.Instant now = java.time.Instant.parse("2026-11-23T18:00:00Z");
    java.time.Clock clock = java.time.Clock.fixed(now, java.time.ZoneOffset.UTC);
    WebhookConfig config =
        WebhookConfig.builderFromSources(
                source(
                    Map.of(
                        WebhookConfig.Keys.SECRETS,
                        "whsec_a",
                        "STRIPE_WEBHOOK_DEBUG_UNTIL",
                        "2026-11-23T19:00:00Z")))
            .clock(clock)
            .build();
    assertThat(config.operations().debugUntil()).contains(now.plusSeconds(3600));
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.DEBUG_UNTIL,
                            "30m"))))
        .hasMessageStartingWith("stripe.webhook.debug-until: '30m' is not an ISO-8601 instant");
    assertThatThrownBy(
            () ->
                WebhookConfig.builder()
                    .secrets("whsec_a")
                    .clock(clock)
                    .debugUntil(now.plus(Duration.ofHours(25)))
                    .build())
        .hasMessageStartingWith(
            "stripe.webhook.debug-until: 2026-11-24T19:00:00Z is more than 24" + " hours ahead");
  }

  @Test
  void memoryCapacityIsTenThousandByDefaultAndReadFromItsKeyOrEnvironmentName() {
    assertThat(WebhookConfig.builder().secrets("whsec_a").build().processing().memoryCapacity())
        .isEqualTo(10_000);
    assertThat(WebhookConfig.Keys.environmentName(WebhookConfig.Keys.MEMORY_CAPACITY))
        .isEqualTo("STRIPE_WEBHOOK_MEMORY_CAPACITY");
    assertThat(
            WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            "stripe.webhook.memory-capacity",
                            "250000")))
                .processing()
                .memoryCapacity())
        .isEqualTo(250_000);
    assertThat(
            WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            "STRIPE_WEBHOOK_MEMORY_CAPACITY",
                            "100")))
                .processing()
                .memoryCapacity())
        .isEqualTo(100);
  }

  @Test
  void failsAtStartupOnAMemoryCapacityOutsideOneHundredToTenMillion() {
    assertThat(
            WebhookConfig.builder()
                .secrets("whsec_a")
                .memoryCapacity(10_000_000)
                .build()
                .processing()
                .memoryCapacity())
        .isEqualTo(10_000_000);
    assertThatThrownBy(() -> WebhookConfig.builder().memoryCapacity(99))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("stripe.webhook.memory-capacity: must be between 100 and");
    assertThatThrownBy(() -> WebhookConfig.builder().memoryCapacity(10_000_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("stripe.webhook.memory-capacity: must be between 100 and");
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.MEMORY_CAPACITY,
                            "10k"))))
        .hasMessage("stripe.webhook.memory-capacity: '10k' is not a whole number of events");
  }

  @Test
  void readsTheApiKeyFromStripeApiKeyAndNeverShowsIt() {
    WebhookConfig config =
        WebhookConfig.fromSources(
            source(Map.of("STRIPE_WEBHOOK_SECRET", "whsec_a", "STRIPE_API_KEY", "rk_live_hidden")));
    assertThat(config.processing().apiKey()).contains("rk_live_hidden");
    assertThat(config.processing().thinEvents()).isEqualTo(WebhookConfig.ThinEvents.NOTIFY);
    assertThat(config.toString()).doesNotContain("hidden").contains("apiKey=set");
    assertThat(WebhookConfig.builder().secrets("whsec_a").build().processing().apiKey()).isEmpty();
  }

  @Test
  void failsAtStartupOnAKeyThatIsNoSecretOrRestrictedKeyWithoutEchoingIt() {
    for (String key : new String[] {"sk_test_ok", "sk_live_ok", "rk_test_ok", "rk_live_ok"}) {
      assertThat(WebhookConfig.builder().apiKey(key).secrets("whsec_a").build().processing())
          .extracting(ProcessingConfig::apiKey)
          .isEqualTo(java.util.Optional.of(key));
    }
    for (String key : new String[] {"pk_live_secretvalue", "whsec_secretvalue", "secretvalue"}) {
      assertThatThrownBy(
              () ->
                  WebhookConfig.fromSources(
                      source(
                          Map.of(
                              WebhookConfig.Keys.SECRETS,
                              "whsec_a",
                              WebhookConfig.Keys.API_KEY,
                              key))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("stripe.api-key (STRIPE_API_KEY): not a Stripe secret")
          .hasMessageContaining("sk_test_, sk_live_, rk_test_ or rk_live_")
          .hasMessageNotContaining("secretvalue");
    }
    assertThatThrownBy(() -> WebhookConfig.builder().apiKey("sk_test_"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thinEventsIsNotifyOrFetch() {
    WebhookConfig config =
        WebhookConfig.fromSources(
            source(
                Map.of("STRIPE_WEBHOOK_SECRET", "whsec_a", "STRIPE_WEBHOOK_THIN_EVENTS", "FETCH")));
    assertThat(config.processing().thinEvents()).isEqualTo(WebhookConfig.ThinEvents.FETCH);
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    source(
                        Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.THIN_EVENTS,
                            "pull"))))
        .hasMessage("stripe.webhook.thin-events: 'pull' is neither notify nor fetch");
  }
}
