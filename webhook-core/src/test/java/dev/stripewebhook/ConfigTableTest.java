// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

class ConfigTableTest {
  private static final String SECRET = "whsec_do_not_log_me";

  /** A value of each key that is not its default, written as it reads back. */
  private static final Map<String, String> SAMPLES =
      Map.ofEntries(
          Map.entry(WebhookConfig.Keys.SECRETS, "whsec_a,whsec_b"),
          Map.entry(WebhookConfig.Keys.SECRETS_TEST, "whsec_t"),
          Map.entry(WebhookConfig.Keys.SECRETS_LIVE, "whsec_l"),
          Map.entry(WebhookConfig.Keys.TOLERANCE, "60"),
          Map.entry(WebhookConfig.Keys.ALLOWED_IPS, "stripe,10.0.0.0/8"),
          Map.entry(WebhookConfig.Keys.TRUSTED_PROXIES, "192.168.0.1"),
          Map.entry(WebhookConfig.Keys.FORWARDED_HEADER, "Forwarded"),
          Map.entry(WebhookConfig.Keys.STRIPE_IPS_FILE, "/etc/stripe-ips.txt"),
          Map.entry(WebhookConfig.Keys.LIVEMODE, "any"),
          Map.entry(WebhookConfig.Keys.ACCOUNTS, "acct_1,acct_2"),
          Map.entry(WebhookConfig.Keys.MAX_BODY, "2048"),
          Map.entry(WebhookConfig.Keys.BODY_TIMEOUT, "30"),
          Map.entry(WebhookConfig.Keys.PROCESSING, "async"),
          Map.entry(WebhookConfig.Keys.HANDLERS, "a.B,c.D"),
          Map.entry(WebhookConfig.Keys.DATASOURCE, "java:comp/env/jdbc/stripe"),
          Map.entry(WebhookConfig.Keys.ENDPOINT, "connect"),
          Map.entry(WebhookConfig.Keys.WORKERS, "8"),
          Map.entry(WebhookConfig.Keys.ATTEMPTS, "5"),
          Map.entry(WebhookConfig.Keys.RETENTION_DAYS, "7"),
          Map.entry(WebhookConfig.Keys.IN_PROGRESS_WAIT, "0"),
          Map.entry(WebhookConfig.Keys.MEMORY_CAPACITY, "250000"),
          Map.entry(WebhookConfig.Keys.API_KEY, "rk_test_sample"),
          Map.entry(WebhookConfig.Keys.THIN_EVENTS, "fetch"),
          Map.entry(WebhookConfig.Keys.ALERT_SILENCE, "15"),
          Map.entry(WebhookConfig.Keys.ALERT_FAILURES, "20/5"),
          Map.entry(WebhookConfig.Keys.DELIVERY_LOG_LINES, "250"),
          Map.entry(
              WebhookConfig.Keys.DEBUG_UNTIL,
              Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString()));

  @Test
  void everyKeyConstantHasExactlyOneEntryAndAnEnvironmentName() throws Exception {
    List<String> constants = new ArrayList<>();
    for (Field field : WebhookConfig.Keys.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        constants.add((String) field.get(null));
      }
    }
    List<String> keys = ConfigTable.ENTRIES.stream().map(ConfigTable.Entry::key).toList();
    assertThat(keys).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(constants);
    assertThat(WebhookConfig.Keys.all()).isEqualTo(keys);
    for (ConfigTable.Entry entry : ConfigTable.ENTRIES) {
      if (!entry.key().equals(WebhookConfig.Keys.API_KEY)) { // shared with recovery and the CLI
        assertThat(entry.key()).startsWith("stripe.webhook.");
        assertThat(entry.environment()).startsWith("STRIPE_WEBHOOK_");
      }
      assertThat(WebhookConfig.Keys.environmentName(entry.key())).isEqualTo(entry.environment());
    }
  }

  @Test
  void aBuiltConfigHoldsEachDefaultAsTheTableWritesIt() {
    WebhookConfig config = WebhookConfig.builder().secrets("whsec_a").build();
    for (ConfigTable.Entry entry : ConfigTable.ENTRIES) {
      if (entry.key().equals(WebhookConfig.Keys.SECRETS)) {
        continue; // required: no default
      }
      assertThat(entry.text().apply(config)).as(entry.key()).isEqualTo(entry.defaultText());
      assertThat(WebhookConfig.Keys.defaultValue(entry.key())).isEqualTo(entry.defaultText());
    }
  }

  @Test
  void everyKeyReadsBackAsWritten() {
    assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(WebhookConfig.Keys.all());
    for (ConfigTable.Entry entry : ConfigTable.ENTRIES) {
      Map<String, String> values = new HashMap<>(Map.of(WebhookConfig.Keys.SECRETS, "whsec_a"));
      values.put(entry.key(), SAMPLES.get(entry.key()));
      WebhookConfig config = WebhookConfig.fromSources(ConfigSource.of(values));
      assertThat(entry.text().apply(config)).as(entry.key()).contains(SAMPLES.get(entry.key()));

      Map<String, String> environment = new HashMap<>(Map.of("STRIPE_WEBHOOK_SECRET", "whsec_a"));
      environment.put(entry.environment(), SAMPLES.get(entry.key()));
      WebhookConfig fromEnvironment = WebhookConfig.fromSources(ConfigSource.of(environment));
      assertThat(entry.text().apply(fromEnvironment))
          .as(entry.environment())
          .contains(SAMPLES.get(entry.key()));
    }
  }

  @Test
  void notSetIsAnEmptyOptionalOrAnEmptyCollectionNeverNull() throws Exception {
    WebhookConfig config = WebhookConfig.builder().secrets("whsec_a").build();
    List<Object> parts =
        List.of(config.verification(), config.edge(), config.processing(), config.operations());
    for (Object part : parts) {
      for (Method accessor : part.getClass().getDeclaredMethods()) {
        if (!Modifier.isPublic(accessor.getModifiers()) || accessor.getParameterCount() != 0) {
          continue;
        }
        Object value = accessor.invoke(part);
        assertThat(value).as(accessor.toString()).isNotNull();
      }
    }
    for (ConfigTable.Entry entry : ConfigTable.ENTRIES) {
      if (entry.defaultText().isEmpty() && !entry.key().equals(WebhookConfig.Keys.SECRETS)) {
        assertThat(entry.text().apply(config)).as(entry.key()).isEmpty();
      }
    }
    assertThat(config.verification().testSecrets()).isEmpty();
    assertThat(config.edge().allowedIps()).isEmpty();
    assertThat(config.edge().accounts()).isEmpty();
    assertThat(config.edge().forwardedHeader()).isEmpty();
    assertThat(config.edge().stripeIpsFile()).isEmpty();
    assertThat(config.processing().handlers()).isEmpty();
    assertThat(config.processing().dataSource()).isEmpty();
    assertThat(config.operations().alertSilence()).isEmpty();
    assertThat(config.operations().alertFailures()).isEmpty();
    assertThat(config.operations().debugUntil()).isEmpty();
  }

  @Test
  void aBlankValueIsNotSet() {
    WebhookConfig config =
        WebhookConfig.fromSources(
            ConfigSource.of(
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    SECRET,
                    WebhookConfig.Keys.DATASOURCE,
                    " ",
                    WebhookConfig.Keys.ATTEMPTS,
                    "",
                    WebhookConfig.Keys.ALLOWED_IPS,
                    " , ")));
    assertThat(config.processing().dataSource()).isEmpty();
    assertThat(config.processing().attempts()).isEqualTo(10);
    assertThat(config.edge().allowedIps()).isEmpty();
  }

  @Test
  void warnsOfAMisspeltKeyNamingTheNearestOneAndNotItsValue() {
    List<String> warnings =
        warningsWhileReading(
            ConfigSource.of(
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    SECRET,
                    "stripe.webhook.alowed-ips",
                    "10.9.8.7",
                    "stripe.webhook.secret",
                    "whsec_misplaced_value")));
    assertThat(warnings)
        .containsExactlyInAnyOrder(
            "stripe.webhook.alowed-ips is not a known key; did you mean stripe.webhook.allowed-ips?",
            "stripe.webhook.secret is not a known key; did you mean stripe.webhook.secrets?");
    assertThat(String.join("\n", warnings))
        .doesNotContain("10.9.8.7", "misplaced", "do_not_log_me");
  }

  @Test
  void warnsOfAMisspeltEnvironmentNameNamingTheNearestOne() {
    List<String> warnings =
        warningsWhileReading(
            ConfigSource.of(
                Map.of(
                    "STRIPE_WEBHOOK_SECRET",
                    SECRET,
                    "STRIPE_WEBHOOK_WORKER",
                    "4",
                    "PATH",
                    "/bin")));
    assertThat(warnings)
        .containsExactly(
            "STRIPE_WEBHOOK_WORKER is not a known key; did you mean STRIPE_WEBHOOK_WORKERS?");
  }

  @Test
  void warnsOncePerNameAndNotAtAllForKnownKeysOrOtherNames() {
    ConfigSource first =
        ConfigSource.of(
            Map.of(
                WebhookConfig.Keys.SECRETS,
                SECRET,
                "stripe.webhook.tolerence",
                "60",
                "stripe.other",
                "x"));
    ConfigSource second =
        ConfigSource.of(
            Map.of("stripe.webhook.tolerence", "30", WebhookConfig.Keys.TOLERANCE, "30"));
    assertThat(warningsWhileReading(first, second))
        .containsExactly(
            "stripe.webhook.tolerence is not a known key; did you mean stripe.webhook.tolerance?");
    assertThat(
            warningsWhileReading(
                ConfigSource.of(
                    Map.of(
                        WebhookConfig.Keys.SECRETS,
                        SECRET,
                        WebhookConfig.Keys.ENDPOINT,
                        "a",
                        "stripe.webhook.admin.role",
                        "ops",
                        "STRIPE_WEBHOOK_JDBC_PASSWORD",
                        "pw"))))
        .isEmpty();
  }

  @Test
  void levenshteinDistanceCountsInsertionsDeletionsAndSubstitutions() {
    assertThat(ConfigTable.distance("alowed", "allowed")).isEqualTo(1);
    assertThat(ConfigTable.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(ConfigTable.distance("", "abc")).isEqualTo(3);
    assertThat(ConfigTable.distance("same", "same")).isZero();
  }

  private static List<String> warningsWhileReading(ConfigSource... sources) {
    Logger logger = Logger.getLogger(WebhookConfig.class.getName());
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(new SimpleFormatter().formatMessage(record));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      WebhookConfig.fromSources(sources);
    } finally {
      logger.removeHandler(handler);
    }
    return List.copyOf(warnings);
  }
}
