// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static dev.stripewebhook.ConfigTable.Concern.EDGE;
import static dev.stripewebhook.ConfigTable.Concern.OPERATIONS;
import static dev.stripewebhook.ConfigTable.Concern.PROCESSING;
import static dev.stripewebhook.ConfigTable.Concern.VERIFICATION;

import dev.stripewebhook.WebhookConfig.Builder;
import dev.stripewebhook.WebhookConfig.Keys;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one table of configuration keys: each key's environment name, the concern it configures, its
 * default (written here only), how its text is applied to a {@link Builder}, and how the built
 * value reads back as text. The builder starts from these defaults; {@link
 * WebhookConfig#fromSources} reads each key through it.
 */
final class ConfigTable {
  private static final System.Logger LOG = System.getLogger(WebhookConfig.class.getName());
  private static final String KEY_PREFIX = "stripe.webhook.";
  private static final String ENVIRONMENT_PREFIX = "STRIPE_WEBHOOK_";

  /**
   * Names in our namespace that other modules read, so not unknown: the admin console's init-params
   * (webhook-admin, {@code stripe.webhook.admin.role}, {@code .open}) and the recovery command's
   * database password (webhook-cli).
   */
  private static final List<String> READ_ELSEWHERE =
      List.of("stripe.webhook.admin.", "STRIPE_WEBHOOK_ADMIN_", "STRIPE_WEBHOOK_JDBC_PASSWORD");

  /** Which part of {@link WebhookConfig} a key configures. */
  enum Concern {
    VERIFICATION,
    EDGE,
    PROCESSING,
    OPERATIONS
  }

  /**
   * One key.
   *
   * @param defaultText the default as a value of the key would be written; empty: "not set"
   * @param apply parses a value and gives it to the builder; throws naming the key when invalid
   * @param text the configured value as text, as {@code apply} reads it; empty: not set
   */
  record Entry(
      String key,
      String environment,
      Concern concern,
      Optional<String> defaultText,
      BiConsumer<Builder, String> apply,
      Function<WebhookConfig, Optional<String>> text) {}

  static final List<Entry> ENTRIES =
      List.of(
          entry(
              Keys.SECRETS,
              "STRIPE_WEBHOOK_SECRET",
              VERIFICATION,
              null,
              (b, v) -> b.secrets(CommaList.split(v)),
              c -> list(c.verification().secrets())),
          entry(
              Keys.SECRETS_TEST,
              "STRIPE_WEBHOOK_SECRET_TEST",
              VERIFICATION,
              null,
              (b, v) -> b.testSecrets(CommaList.split(v)),
              c -> list(c.verification().testSecrets())),
          entry(
              Keys.SECRETS_LIVE,
              "STRIPE_WEBHOOK_SECRET_LIVE",
              VERIFICATION,
              null,
              (b, v) -> b.liveSecrets(CommaList.split(v)),
              c -> list(c.verification().liveSecrets())),
          entry(
              Keys.TOLERANCE,
              "STRIPE_WEBHOOK_TOLERANCE",
              VERIFICATION,
              "300",
              (b, v) -> b.tolerance(Duration.ofSeconds(whole(Keys.TOLERANCE, v, "seconds"))),
              c -> text(c.verification().tolerance().toSeconds())),
          entry(
              Keys.ALLOWED_IPS,
              "STRIPE_WEBHOOK_ALLOWED_IPS",
              EDGE,
              null,
              (b, v) -> b.allowedIps(CommaList.split(v)),
              c -> list(c.edge().allowedIps())),
          entry(
              Keys.TRUSTED_PROXIES,
              "STRIPE_WEBHOOK_TRUSTED_PROXIES",
              EDGE,
              null,
              (b, v) -> b.trustedProxies(CommaList.split(v)),
              c -> list(c.edge().trustedProxies())),
          entry(
              Keys.FORWARDED_HEADER,
              "STRIPE_WEBHOOK_FORWARDED_HEADER",
              EDGE,
              null,
              Builder::forwardedHeader,
              c -> c.edge().forwardedHeader()),
          entry(
              Keys.STRIPE_IPS_FILE,
              "STRIPE_WEBHOOK_STRIPE_IPS_FILE",
              EDGE,
              null,
              Builder::stripeIpsFile,
              c -> c.edge().stripeIpsFile()),
          entry(
              Keys.LIVEMODE,
              "STRIPE_WEBHOOK_LIVEMODE",
              EDGE,
              "any",
              (b, v) -> b.livemode(livemode(v)),
              c -> text(c.edge().livemode())),
          entry(
              Keys.ACCOUNTS,
              "STRIPE_WEBHOOK_ACCOUNTS",
              EDGE,
              null,
              (b, v) -> b.accounts(CommaList.split(v)),
              c -> list(c.edge().accounts())),
          entry(
              Keys.MAX_BODY,
              "STRIPE_WEBHOOK_MAX_BODY",
              EDGE,
              "1048576",
              (b, v) -> b.maxBody(whole(Keys.MAX_BODY, v, "bytes")),
              c -> text(c.edge().maxBody())),
          entry(
              Keys.BODY_TIMEOUT,
              "STRIPE_WEBHOOK_BODY_TIMEOUT",
              EDGE,
              "10",
              (b, v) -> b.bodyTimeout(Duration.ofSeconds(whole(Keys.BODY_TIMEOUT, v, "seconds"))),
              c -> text(c.edge().bodyTimeout().toSeconds())),
          entry(
              Keys.PROCESSING,
              "STRIPE_WEBHOOK_PROCESSING",
              PROCESSING,
              "sync",
              (b, v) -> b.processing(processing(v)),
              c -> text(c.processing().mode())),
          entry(
              Keys.HANDLERS,
              "STRIPE_WEBHOOK_HANDLERS",
              PROCESSING,
              null,
              (b, v) -> b.handlers(CommaList.split(v)),
              c -> list(c.processing().handlers())),
          entry(
              Keys.DATASOURCE,
              "STRIPE_WEBHOOK_DATASOURCE",
              PROCESSING,
              null,
              Builder::dataSource,
              c -> c.processing().dataSource()),
          entry(
              Keys.ENDPOINT,
              "STRIPE_WEBHOOK_ENDPOINT",
              PROCESSING,
              "default",
              Builder::endpoint,
              c -> Optional.of(c.processing().endpoint())),
          entry(
              Keys.WORKERS,
              "STRIPE_WEBHOOK_WORKERS",
              PROCESSING,
              "2",
              (b, v) -> b.workers(whole(Keys.WORKERS, v, "threads")),
              c -> text(c.processing().workers())),
          entry(
              Keys.ATTEMPTS,
              "STRIPE_WEBHOOK_ATTEMPTS",
              PROCESSING,
              "10",
              (b, v) -> b.attempts(whole(Keys.ATTEMPTS, v, "attempts")),
              c -> text(c.processing().attempts())),
          entry(
              Keys.RETENTION_DAYS,
              "STRIPE_WEBHOOK_RETENTION_DAYS",
              PROCESSING,
              "30",
              (b, v) -> b.retentionDays(whole(Keys.RETENTION_DAYS, v, "days")),
              c -> text(c.processing().retentionDays())),
          entry(
              Keys.IN_PROGRESS_WAIT,
              "STRIPE_WEBHOOK_IN_PROGRESS_WAIT",
              PROCESSING,
              "5",
              (b, v) ->
                  b.inProgressWait(Duration.ofSeconds(whole(Keys.IN_PROGRESS_WAIT, v, "seconds"))),
              c -> text(c.processing().inProgressWait().toSeconds())),
          entry(
              Keys.MEMORY_CAPACITY,
              "STRIPE_WEBHOOK_MEMORY_CAPACITY",
              PROCESSING,
              "10000",
              (b, v) -> b.memoryCapacity(whole(Keys.MEMORY_CAPACITY, v, "events")),
              c -> text(c.processing().memoryCapacity())),
          entry(
              Keys.API_KEY,
              "STRIPE_API_KEY",
              PROCESSING,
              null,
              Builder::apiKey,
              c -> c.processing().apiKey()),
          entry(
              Keys.THIN_EVENTS,
              "STRIPE_WEBHOOK_THIN_EVENTS",
              PROCESSING,
              "notify",
              (b, v) -> b.thinEvents(thinEvents(v)),
              c -> text(c.processing().thinEvents())),
          entry(
              Keys.ALERT_SILENCE,
              "STRIPE_WEBHOOK_ALERT_SILENCE_MINUTES",
              OPERATIONS,
              null,
              (b, v) -> b.alertSilence(Duration.ofMinutes(whole(Keys.ALERT_SILENCE, v, "minutes"))),
              c -> c.operations().alertSilence().map(d -> text(d.toMinutes()).get())),
          entry(
              Keys.ALERT_FAILURES,
              "STRIPE_WEBHOOK_ALERT_FAILURES",
              OPERATIONS,
              null,
              ConfigTable::alertFailures,
              c -> c.operations().alertFailures().map(f -> f.max() + "/" + f.window().toMinutes())),
          entry(
              Keys.DELIVERY_LOG_LINES,
              "STRIPE_WEBHOOK_DELIVERY_LOG_LINES_PER_SECOND",
              OPERATIONS,
              "100",
              (b, v) -> b.deliveryLogLines(whole(Keys.DELIVERY_LOG_LINES, v, "lines")),
              c -> text(c.operations().deliveryLogLines())),
          entry(
              Keys.DEBUG_UNTIL,
              "STRIPE_WEBHOOK_DEBUG_UNTIL",
              OPERATIONS,
              null,
              (b, v) -> b.debugUntil(instant(v)),
              c -> c.operations().debugUntil().map(Instant::toString)));

  private static final Map<String, Entry> BY_KEY = index(Entry::key);
  private static final Map<String, Entry> BY_ENVIRONMENT = index(Entry::environment);

  private ConfigTable() {}

  private static Entry entry(
      String key,
      String environment,
      Concern concern,
      String defaultText,
      BiConsumer<Builder, String> apply,
      Function<WebhookConfig, Optional<String>> text) {
    return new Entry(key, environment, concern, Optional.ofNullable(defaultText), apply, text);
  }

  private static Map<String, Entry> index(Function<Entry, String> name) {
    Map<String, Entry> index = new LinkedHashMap<>();
    for (Entry entry : ENTRIES) {
      if (index.put(name.apply(entry), entry) != null) {
        throw new AssertionError("two entries for " + name.apply(entry));
      }
    }
    return Map.copyOf(index);
  }

  /** The entry of {@code key}. */
  static Entry entry(String key) {
    Entry entry = BY_KEY.get(key);
    if (entry == null) {
      throw new IllegalArgumentException("unknown configuration key: " + key);
    }
    return entry;
  }

  /** Gives every default to {@code builder}. */
  static void applyDefaults(Builder builder) {
    for (Entry entry : ENTRIES) {
      entry.defaultText().ifPresent(text -> entry.apply().accept(builder, text));
    }
  }

  /**
   * A builder with the defaults and then, key by key, the first non-blank value the sources hold
   * under the key or its environment name. Warns of each unknown {@code stripe.webhook.*} or {@code
   * STRIPE_WEBHOOK_*} name the sources list.
   */
  static Builder read(List<ConfigSource> sources) {
    warnOfUnknownNames(sources);
    Builder builder = WebhookConfig.builder();
    for (Entry entry : ENTRIES) {
      lookup(sources, entry).ifPresent(value -> entry.apply().accept(builder, value));
    }
    return builder;
  }

  private static Optional<String> lookup(List<ConfigSource> sources, Entry entry) {
    for (ConfigSource source : sources) {
      for (String name : new String[] {entry.key(), entry.environment()}) {
        String value = source.value(name);
        if (value != null && !value.isBlank()) {
          return Optional.of(value.trim());
        }
      }
    }
    return Optional.empty();
  }

  /** Logs one warning per unknown name; names only, never a value: it may be a secret. */
  static void warnOfUnknownNames(List<ConfigSource> sources) {
    Set<String> unknown = new LinkedHashSet<>();
    for (ConfigSource source : sources) {
      Collection<String> names = source.names();
      for (String name : names) {
        if (isUnknown(name)) {
          unknown.add(name);
        }
      }
    }
    for (String name : unknown) {
      LOG.log(Level.WARNING, "{0} is not a known key; did you mean {1}?", name, closest(name));
    }
  }

  private static boolean isUnknown(String name) {
    if (READ_ELSEWHERE.stream().anyMatch(name::startsWith)) {
      return false;
    }
    if (name.toLowerCase(Locale.ROOT).startsWith(KEY_PREFIX)) {
      return !BY_KEY.containsKey(name);
    }
    if (name.toUpperCase(Locale.ROOT).startsWith(ENVIRONMENT_PREFIX)) {
      return !BY_ENVIRONMENT.containsKey(name);
    }
    return false;
  }

  /** The known key (or environment name, for one written like it) nearest to {@code name}. */
  static String closest(String name) {
    boolean environment = !name.toLowerCase(Locale.ROOT).startsWith(KEY_PREFIX);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Entry entry : ENTRIES) {
      String candidate = environment ? entry.environment() : entry.key();
      int distance = distance(name, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** Levenshtein distance: insertions, deletions and substitutions, case included. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static Optional<String> list(Collection<String> values) {
    return values.isEmpty() ? Optional.empty() : Optional.of(String.join(",", values));
  }

  private static Optional<String> text(Object value) {
    String text =
        value instanceof Enum<?> constant
            ? constant.name().toLowerCase(Locale.ROOT)
            : String.valueOf(value);
    return Optional.of(text);
  }

  private static long whole(String key, String value, String unit) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + ": '" + value + "' is not a whole number of " + unit);
    }
  }

  private static WebhookConfig.Livemode livemode(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "test" -> WebhookConfig.Livemode.TEST;
      case "live" -> WebhookConfig.Livemode.LIVE;
      case "any" -> WebhookConfig.Livemode.ANY;
      default ->
          throw new IllegalArgumentException(
              Keys.LIVEMODE + ": '" + value + "' is not test, live or any");
    };
  }

  private static WebhookConfig.Processing processing(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "sync" -> WebhookConfig.Processing.SYNC;
      case "async" -> WebhookConfig.Processing.ASYNC;
      default ->
          throw new IllegalArgumentException(
              Keys.PROCESSING + ": '" + value + "' is neither sync nor async");
    };
  }

  private static WebhookConfig.ThinEvents thinEvents(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "notify" -> WebhookConfig.ThinEvents.NOTIFY;
      case "fetch" -> WebhookConfig.ThinEvents.FETCH;
      default ->
          throw new IllegalArgumentException(
              Keys.THIN_EVENTS + ": '" + value + "' is neither notify nor fetch");
    };
  }

  private static void alertFailures(Builder builder, String value) {
    int slash = value.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          Keys.ALERT_FAILURES
              + ": '"
              + value
              + "' is not N/M (more than N failures within M minutes)");
    }
    builder.alertFailures(
        (int) whole(Keys.ALERT_FAILURES, value.substring(0, slash), "failures"),
        Duration.ofMinutes(whole(Keys.ALERT_FAILURES, value.substring(slash + 1), "minutes")));
  }

  private static Instant instant(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          Keys.DEBUG_UNTIL
              + ": '"
              + value
              + "' is not an ISO-8601 instant such as 2026-11-23T18:30:00Z");
    }
  }
}
