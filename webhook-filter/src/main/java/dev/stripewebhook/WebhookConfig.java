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
import java.util.function.Function;

/**
 * The immutable configuration of a webhook endpoint: its signing secrets, the timestamp tolerance
 * and the body-size limit. Built once at start-up and validated then, so a misconfiguration fails
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

    private static final Map<String, String> ENVIRONMENT = Map.of(
        SECRETS, "STRIPE_WEBHOOK_SECRET",
        TOLERANCE, "STRIPE_WEBHOOK_TOLERANCE",
        MAX_BODY, "STRIPE_WEBHOOK_MAX_BODY",
        HANDLERS, "STRIPE_WEBHOOK_HANDLERS");

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

  private WebhookConfig(Builder builder) {
    this.secrets = List.copyOf(builder.secrets);
    this.tolerance = builder.tolerance;
    this.maxBodySize = builder.maxBodySize;
    this.clock = builder.clock;
    this.handlerClassNames = List.copyOf(builder.handlerClassNames);
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

  /** A description without any secret. */
  @Override
  public String toString() {
    return "WebhookConfig[secrets=" + secrets.size() + " configured, tolerance="
        + tolerance.getSeconds() + "s, maxBodySize=" + maxBodySize + ", handlers="
        + handlerClassNames + "]";
  }

  /** Builds a {@link WebhookConfig}; not thread safe. */
  public static final class Builder {
    private final List<String> secrets = new ArrayList<>();
    private Duration tolerance = DEFAULT_TOLERANCE;
    private int maxBodySize = DEFAULT_MAX_BODY;
    private Clock clock = Clock.systemUTC();
    private final List<String> handlerClassNames = new ArrayList<>();

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
