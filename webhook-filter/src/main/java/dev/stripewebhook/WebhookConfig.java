// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The immutable configuration of a webhook endpoint: its signing secrets, the timestamp tolerance,
 * the body-size limit, its handlers, and how events are processed and stored (sync or async, the
 * inbox's DataSource, attempts, retention). Built once at start-up and validated then, so a misconfiguration fails
 * the deployment with one clear line instead of the first webhook.
 *
 * <h2>Configuration</h2>
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key (init-param, context param, system property)</th><th>environment</th><th>default</th></tr>
 *   <tr><td>{@value Keys#SECRETS}</td><td>{@code STRIPE_WEBHOOK_SECRET}</td><td>none: required</td></tr>
 *   <tr><td>{@value Keys#TOLERANCE}</td><td>{@code STRIPE_WEBHOOK_TOLERANCE}</td><td>300 seconds</td></tr>
 *   <tr><td>{@value Keys#MAX_BODY}</td><td>{@code STRIPE_WEBHOOK_MAX_BODY}</td><td>1 MiB</td></tr>
 *   <tr><td>{@value Keys#HANDLERS}</td><td>{@code STRIPE_WEBHOOK_HANDLERS}</td><td>none</td></tr>
 *   <tr><td>{@value Keys#PROCESSING}</td><td>{@code STRIPE_WEBHOOK_PROCESSING}</td><td>sync</td></tr>
 *   <tr><td>{@value Keys#DATASOURCE}</td><td>{@code STRIPE_WEBHOOK_DATASOURCE}</td>
 *       <td>none: in memory</td></tr>
 *   <tr><td>{@value Keys#ATTEMPTS}</td><td>{@code STRIPE_WEBHOOK_ATTEMPTS}</td><td>10</td></tr>
 *   <tr><td>{@value Keys#RETENTION_DAYS}</td><td>{@code STRIPE_WEBHOOK_RETENTION_DAYS}</td>
 *       <td>30</td></tr>
 * </table>
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * WebhookConfig config = WebhookConfig.builder()
 *     .secrets("whsec_old", "whsec_new")          // rotation: any may match
 *     .tolerance(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 *
 * @since 0.1
 */
public final class WebhookConfig {

  /** The configuration keys, as init-param, context-param and system-property names. */
  public static final class Keys {
    /**
     * One or more endpoint signing secrets ({@code whsec_...}), comma separated; any may match, so
     * old and new can both be set while a secret is rotated. Environment: {@code
     * STRIPE_WEBHOOK_SECRET}. No default. Value: {@value}.
     */
    public static final String SECRETS = "stripe.webhook.secrets";

    /**
     * How far, in whole seconds, the signed timestamp may be from this server's clock, in either
     * direction. 0 means the timestamp must match the clock's second exactly. Environment: {@code
     * STRIPE_WEBHOOK_TOLERANCE}. Default 300. Value: {@value}.
     */
    public static final String TOLERANCE = "stripe.webhook.tolerance";

    /**
     * The largest body accepted, in bytes; a larger one is answered 413 without being buffered.
     * Environment: {@code STRIPE_WEBHOOK_MAX_BODY}. Default 1048576 (1 MiB). Value: {@value}.
     */
    public static final String MAX_BODY = "stripe.webhook.max-body";

    /**
     * Fully qualified class names of {@link StripeEventHandler}s to instantiate (public no-argument
     * constructor), comma separated. Environment: {@code STRIPE_WEBHOOK_HANDLERS}. No default.
     * Value: {@value}.
     */
    public static final String HANDLERS = "stripe.webhook.handlers";

    /**
     * When handlers run: {@code sync}, in the request, which is answered 200 when they succeed
     * and 500 when one fails (Stripe retries); or {@code async}, after the event is stored and
     * answered 200, by worker threads that retry with backoff. Environment: {@code
     * STRIPE_WEBHOOK_PROCESSING}. Default {@code sync}. Value: {@value}.
     */
    public static final String PROCESSING = "stripe.webhook.processing";

    /**
     * The JNDI name of the {@code javax.sql.DataSource} of the event inbox, such as {@code
     * java:comp/env/jdbc/stripe} (a name without {@code java:} is also tried under {@code
     * java:comp/env/}). Environment: {@code STRIPE_WEBHOOK_DATASOURCE}. No default: the inbox is
     * then in memory (one instance, lost on restart). Value: {@value}.
     */
    public static final String DATASOURCE = "stripe.webhook.datasource";

    /**
     * How many failed attempts make an event dead (kept, no longer retried by the workers).
     * Environment: {@code STRIPE_WEBHOOK_ATTEMPTS}. Default 10. Value: {@value}.
     */
    public static final String ATTEMPTS = "stripe.webhook.attempts";

    /**
     * After how many days done events are deleted from the inbox; failed and dead ones are kept.
     * Environment: {@code STRIPE_WEBHOOK_RETENTION_DAYS}. Default 30. Value: {@value}.
     */
    public static final String RETENTION_DAYS = "stripe.webhook.retention-days";

    private static final Map<String, String> ENVIRONMENT = Map.of(
        SECRETS, "STRIPE_WEBHOOK_SECRET",
        TOLERANCE, "STRIPE_WEBHOOK_TOLERANCE",
        MAX_BODY, "STRIPE_WEBHOOK_MAX_BODY",
        HANDLERS, "STRIPE_WEBHOOK_HANDLERS",
        PROCESSING, "STRIPE_WEBHOOK_PROCESSING",
        DATASOURCE, "STRIPE_WEBHOOK_DATASOURCE",
        ATTEMPTS, "STRIPE_WEBHOOK_ATTEMPTS",
        RETENTION_DAYS, "STRIPE_WEBHOOK_RETENTION_DAYS");

    /** The environment variable that holds {@code key}. */
    public static String environmentName(String key) {
      String name = ENVIRONMENT.get(key);
      if (name == null) {
        throw new IllegalArgumentException("unknown configuration key: " + key);
      }
      return name;
    }

    private Keys() {}
  }

  /** When handlers run; see {@link Keys#PROCESSING}. */
  public enum Processing {
    /** In the request: its answer says whether they succeeded. */
    SYNC,
    /** After the event is stored and the request answered, by worker threads. */
    ASYNC
  }

  /** Default failed attempts after which an event is dead. */
  public static final int DEFAULT_ATTEMPTS = 10;
  /** Default days done events are kept in the inbox. */
  public static final int DEFAULT_RETENTION_DAYS = 30;

  /** Default tolerance: Stripe's SDKs use 300 seconds. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);
  /** Default largest body: 1 MiB, far above the largest Stripe event. */
  public static final int DEFAULT_MAX_BODY = 1 << 20;

  private static final String SECRET_PREFIX = "whsec_";

  private final List<String> secrets;
  private final Duration tolerance;
  private final int maxBodySize;
  private final Clock clock;
  private final List<String> handlerClassNames;
  private final Processing processing;
  private final String dataSourceName;
  private final int attempts;
  private final int retentionDays;

  private WebhookConfig(Builder builder) {
    this.secrets = List.copyOf(builder.secrets);
    this.tolerance = builder.tolerance;
    this.maxBodySize = builder.maxBodySize;
    this.clock = builder.clock;
    this.handlerClassNames = List.copyOf(builder.handlerClassNames);
    this.processing = builder.processing;
    this.dataSourceName = builder.dataSourceName;
    this.attempts = builder.attempts;
    this.retentionDays = builder.retentionDays;
  }

  /** A builder with the defaults; {@link Builder#secrets} must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the configuration from sources asked in order, the first non-blank value winning. Each
   * source is asked for the key ({@code stripe.webhook.secrets}) and then for its environment name
   * ({@code STRIPE_WEBHOOK_SECRET}). Typical sources, in the documented order:
   *
   * <pre>{@code
   * WebhookConfig.fromSources(filterConfig::getInitParameter, servletContext::getInitParameter,
   *     System::getProperty, System::getenv);
   * }</pre>
   *
   * @throws IllegalStateException or IllegalArgumentException naming the key when a value is
   *     missing or invalid
   */
  @SafeVarargs
  public static WebhookConfig fromSources(Function<String, String>... sources) {
    return builderFromSources(sources).build();
  }

  /** Like {@link #fromSources}, but returns the builder so that code can add to it. */
  @SafeVarargs
  public static Builder builderFromSources(Function<String, String>... sources) {
    List<Function<String, String>> list = Arrays.asList(sources);
    Builder builder = builder();
    String secrets = lookup(list, Keys.SECRETS);
    if (secrets != null) {
      builder.secrets(split(secrets));
    }
    String tolerance = lookup(list, Keys.TOLERANCE);
    if (tolerance != null) {
      builder.tolerance(Duration.ofSeconds(parseWholeNumber(Keys.TOLERANCE, tolerance, "seconds")));
    }
    String maxBody = lookup(list, Keys.MAX_BODY);
    if (maxBody != null) {
      builder.maxBodySize(parseWholeNumber(Keys.MAX_BODY, maxBody, "bytes"));
    }
    String handlers = lookup(list, Keys.HANDLERS);
    if (handlers != null) {
      builder.handlerClassNames(split(handlers));
    }
    String processing = lookup(list, Keys.PROCESSING);
    if (processing != null) {
      builder.processing(parseProcessing(processing));
    }
    String dataSource = lookup(list, Keys.DATASOURCE);
    if (dataSource != null) {
      builder.dataSourceName(dataSource);
    }
    String attempts = lookup(list, Keys.ATTEMPTS);
    if (attempts != null) {
      builder.attempts(parseWholeNumber(Keys.ATTEMPTS, attempts, "attempts"));
    }
    String retention = lookup(list, Keys.RETENTION_DAYS);
    if (retention != null) {
      builder.retentionDays(parseWholeNumber(Keys.RETENTION_DAYS, retention, "days"));
    }
    return builder;
  }

  private static String lookup(List<Function<String, String>> sources, String key) {
    String environmentName = Keys.environmentName(key);
    for (Function<String, String> source : sources) {
      for (String name : new String[] {key, environmentName}) {
        String value = source.apply(name);
        if (value != null && !value.isBlank()) {
          return value.trim();
        }
      }
    }
    return null;
  }

  private static List<String> split(String value) {
    List<String> parts = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        parts.add(part.trim());
      }
    }
    return parts;
  }

  private static Processing parseProcessing(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "sync" -> Processing.SYNC;
      case "async" -> Processing.ASYNC;
      default -> throw new IllegalArgumentException(Keys.PROCESSING + ": '" + value
          + "' is neither sync nor async");
    };
  }

  private static long parseWholeNumber(String key, String value, String unit) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + value + "' is not a whole number of " + unit);
    }
  }

  /** The signing secrets; any one may match. Never empty. */
  public List<String> secrets() {
    return secrets;
  }

  /** The largest accepted distance between the signed timestamp and {@link #clock()}. */
  public Duration tolerance() {
    return tolerance;
  }

  /** The largest body accepted, in bytes. */
  public int maxBodySize() {
    return maxBodySize;
  }

  /** The clock timestamps are checked against. */
  public Clock clock() {
    return clock;
  }

  /** Class names of handlers to instantiate, in order; may be empty. */
  public List<String> handlerClassNames() {
    return handlerClassNames;
  }

  /** When handlers run. */
  public Processing processing() {
    return processing;
  }

  /** The JNDI name of the inbox's DataSource, if one is configured. */
  public Optional<String> dataSourceName() {
    return Optional.ofNullable(dataSourceName);
  }

  /** Failed attempts after which an event is dead. */
  public int attempts() {
    return attempts;
  }

  /** Days done events are kept in the inbox. */
  public int retentionDays() {
    return retentionDays;
  }

  /** A description without any secret. */
  @Override
  public String toString() {
    return "WebhookConfig[secrets=" + secrets.size() + " configured, tolerance="
        + tolerance.getSeconds() + "s, maxBodySize=" + maxBodySize + ", handlers="
        + handlerClassNames + ", processing=" + processing.name().toLowerCase(Locale.ROOT)
        + ", datasource=" + (dataSourceName == null ? "none" : dataSourceName) + ", attempts="
        + attempts + ", retentionDays=" + retentionDays + "]";
  }

  /** Builds a {@link WebhookConfig}; not thread safe. */
  public static final class Builder {
    private final List<String> secrets = new ArrayList<>();
    private Duration tolerance = DEFAULT_TOLERANCE;
    private int maxBodySize = DEFAULT_MAX_BODY;
    private Clock clock = Clock.systemUTC();
    private final List<String> handlerClassNames = new ArrayList<>();
    private Processing processing = Processing.SYNC;
    private String dataSourceName;
    private int attempts = DEFAULT_ATTEMPTS;
    private int retentionDays = DEFAULT_RETENTION_DAYS;

    private Builder() {}

    /** Replaces the signing secrets; any one may match (secret rotation). */
    public Builder secrets(String... secrets) {
      return secrets(Arrays.asList(secrets));
    }

    /** Replaces the signing secrets; any one may match (secret rotation). */
    public Builder secrets(Collection<String> secrets) {
      Objects.requireNonNull(secrets, "secrets == null");
      this.secrets.clear();
      for (String secret : secrets) {
        this.secrets.add(Objects.requireNonNull(secret, "secret == null"));
      }
      return this;
    }

    /** How far the signed timestamp may be from the clock, either way; whole seconds, ≥ 0. */
    public Builder tolerance(Duration tolerance) {
      Objects.requireNonNull(tolerance, "tolerance == null");
      if (tolerance.isNegative() || tolerance.getNano() != 0) {
        throw new IllegalArgumentException(Keys.TOLERANCE + ": must be a whole number of seconds"
            + " ≥ 0, was " + tolerance);
      }
      this.tolerance = tolerance;
      return this;
    }

    /** The largest body accepted, in bytes, from 1 to 2^31 - 9. */
    public Builder maxBodySize(long bytes) {
      if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(Keys.MAX_BODY + ": must be between 1 and "
            + (Integer.MAX_VALUE - 8) + " bytes, was " + bytes);
      }
      this.maxBodySize = (int) bytes;
      return this;
    }

    /** The clock to check timestamps against; tests pass {@code Clock.fixed(...)}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /** Replaces the handler class names (see {@link Keys#HANDLERS}). */
    public Builder handlerClassNames(Collection<String> classNames) {
      this.handlerClassNames.clear();
      this.handlerClassNames.addAll(classNames);
      return this;
    }

    /** When handlers run (see {@link Keys#PROCESSING}); default {@link Processing#SYNC}. */
    public Builder processing(Processing processing) {
      this.processing = Objects.requireNonNull(processing, "processing == null");
      return this;
    }

    /** The JNDI name of the inbox's DataSource (see {@link Keys#DATASOURCE}), or null. */
    public Builder dataSourceName(String jndiName) {
      this.dataSourceName = jndiName == null || jndiName.isBlank() ? null : jndiName.strip();
      return this;
    }

    /** Failed attempts after which an event is dead, from 1 to 1000; default 10. */
    public Builder attempts(long attempts) {
      if (attempts < 1 || attempts > 1000) {
        throw new IllegalArgumentException(Keys.ATTEMPTS + ": must be between 1 and 1000, was "
            + attempts);
      }
      this.attempts = (int) attempts;
      return this;
    }

    /** Days done events are kept in the inbox, from 1 to 36500; default 30. */
    public Builder retentionDays(long days) {
      if (days < 1 || days > 36_500) {
        throw new IllegalArgumentException(Keys.RETENTION_DAYS + ": must be between 1 and 36500"
            + " days, was " + days);
      }
      this.retentionDays = (int) days;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalStateException when no secret is configured
     * @throws IllegalArgumentException when a secret is not a webhook signing secret
     */
    public WebhookConfig build() {
      if (secrets.isEmpty()) {
        throw new IllegalStateException(Keys.SECRETS + ": no webhook signing secret configured;"
            + " set the environment variable STRIPE_WEBHOOK_SECRET (or the " + Keys.SECRETS
            + " init-param or system property) to the endpoint's signing secret, whsec_...");
      }
      for (int i = 0; i < secrets.size(); i++) {
        String secret = secrets.get(i);
        if (!secret.startsWith(SECRET_PREFIX) || secret.length() == SECRET_PREFIX.length()) {
          throw new IllegalArgumentException(Keys.SECRETS + ": secret " + (i + 1) + " of "
              + secrets.size() + " does not start with whsec_" + describeWrongKey(secret)
              + "; copy the signing secret from the webhook endpoint's page in the Stripe"
              + " Dashboard, or the one `stripe listen` prints, not an API key");
        }
      }
      return new WebhookConfig(this);
    }

    /** Names a mistaken key's kind by its public prefix only; never echoes the value. */
    private static String describeWrongKey(String value) {
      String lower = value.toLowerCase(Locale.ROOT);
      for (String prefix : new String[] {"sk_test_", "sk_live_", "rk_test_", "rk_live_",
          "pk_test_", "pk_live_"}) {
        if (lower.startsWith(prefix)) {
          return " (it starts with " + prefix + ", which is an API key)";
        }
      }
      return "";
    }
  }
}
