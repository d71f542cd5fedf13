// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 *   <tr><td>{@value Keys#SECRETS_TEST}, {@value Keys#SECRETS_LIVE}</td>
 *       <td>{@code STRIPE_WEBHOOK_SECRET_TEST}, {@code STRIPE_WEBHOOK_SECRET_LIVE}</td><td>none</td></tr>
 *   <tr><td>{@value Keys#LIVEMODE}</td><td>{@code STRIPE_WEBHOOK_LIVEMODE}</td><td>any</td></tr>
 *   <tr><td>{@value Keys#ACCOUNTS}</td><td>{@code STRIPE_WEBHOOK_ACCOUNTS}</td><td>any</td></tr>
 *   <tr><td>{@value Keys#ALLOWED_IPS}</td><td>{@code STRIPE_WEBHOOK_ALLOWED_IPS}</td><td>any</td></tr>
 *   <tr><td>{@value Keys#TRUSTED_PROXIES}</td><td>{@code STRIPE_WEBHOOK_TRUSTED_PROXIES}</td>
 *       <td>none</td></tr>
 *   <tr><td>{@value Keys#STRIPE_IPS_FILE}</td><td>{@code STRIPE_WEBHOOK_STRIPE_IPS_FILE}</td>
 *       <td>the bundled list</td></tr>
 *   <tr><td>{@value Keys#PROCESSING}</td><td>{@code STRIPE_WEBHOOK_PROCESSING}</td><td>sync</td></tr>
 *   <tr><td>{@value Keys#DATASOURCE}</td><td>{@code STRIPE_WEBHOOK_DATASOURCE}</td>
 *       <td>none: in memory</td></tr>
 *   <tr><td>{@value Keys#ATTEMPTS}</td><td>{@code STRIPE_WEBHOOK_ATTEMPTS}</td><td>10</td></tr>
 *   <tr><td>{@value Keys#WORKERS}</td><td>{@code STRIPE_WEBHOOK_WORKERS}</td><td>2</td></tr>
 *   <tr><td>{@value Keys#RETENTION_DAYS}</td><td>{@code STRIPE_WEBHOOK_RETENTION_DAYS}</td>
 *       <td>30</td></tr>
 *   <tr><td>{@value Keys#DEBUG_UNTIL} (sensitive)</td><td>{@code STRIPE_WEBHOOK_DEBUG_UNTIL}</td>
 *       <td>off</td></tr>
 *   <tr><td>{@value Keys#ENDPOINT}</td><td>{@code STRIPE_WEBHOOK_ENDPOINT}</td><td>default</td></tr>
 *   <tr><td>{@value Keys#BODY_TIMEOUT}</td><td>{@code STRIPE_WEBHOOK_BODY_TIMEOUT}</td>
 *       <td>10 seconds</td></tr>
 *   <tr><td>{@value Keys#IN_PROGRESS_WAIT}</td><td>{@code STRIPE_WEBHOOK_IN_PROGRESS_WAIT}</td>
 *       <td>5 seconds</td></tr>
 *   <tr><td>{@value Keys#FORWARDED_HEADER}</td><td>{@code STRIPE_WEBHOOK_FORWARDED_HEADER}</td>
 *       <td>both, refused when they disagree</td></tr>
 *   <tr><td>{@value Keys#MEMORY_CAPACITY}</td><td>{@code STRIPE_WEBHOOK_MEMORY_CAPACITY}</td>
 *       <td>10,000 events</td></tr>
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
     * Test-mode signing secrets: an event they verify must say {@code "livemode": false}.
     * Environment: {@code STRIPE_WEBHOOK_SECRET_TEST}. Value: {@value}.
     */
    public static final String SECRETS_TEST = "stripe.webhook.secrets.test";

    /**
     * Live-mode signing secrets: an event they verify must say {@code "livemode": true}.
     * Environment: {@code STRIPE_WEBHOOK_SECRET_LIVE}. Value: {@value}.
     */
    public static final String SECRETS_LIVE = "stripe.webhook.secrets.live";

    /**
     * Which events this deployment accepts: {@code test}, {@code live} or {@code any} (default);
     * a staging server sets {@code test} and refuses live events. Environment: {@code
     * STRIPE_WEBHOOK_LIVEMODE}. Value: {@value}.
     */
    public static final String LIVEMODE = "stripe.webhook.livemode";

    /**
     * Connect: the connected accounts ({@code acct_...}) whose events this endpoint accepts, comma
     * separated; events of other accounts, or of none, are refused. Default: any. Environment:
     * {@code STRIPE_WEBHOOK_ACCOUNTS}. Value: {@value}.
     */
    public static final String ACCOUNTS = "stripe.webhook.accounts";

    /**
     * Client addresses allowed to post, comma separated: IPv4 or IPv6 addresses, CIDR ranges, and
     * {@code stripe} for Stripe's published webhook addresses. Others are answered 403 before the
     * body is read. Default: any address. Environment: {@code STRIPE_WEBHOOK_ALLOWED_IPS}. Value:
     * {@value}.
     */
    public static final String ALLOWED_IPS = "stripe.webhook.allowed-ips";

    /**
     * Proxies whose {@code Forwarded} and {@code X-Forwarded-For} headers are believed, comma
     * separated addresses or CIDR ranges. Default: none, so the direct peer is the client.
     * Environment: {@code STRIPE_WEBHOOK_TRUSTED_PROXIES}. Value: {@value}.
     */
    public static final String TRUSTED_PROXIES = "stripe.webhook.trusted-proxies";

    /**
     * A file that replaces the bundled list of Stripe's webhook addresses (one per line, {@code #}
     * comments), read at start-up. Environment: {@code STRIPE_WEBHOOK_STRIPE_IPS_FILE}. Value:
     * {@value}.
     */
    public static final String STRIPE_IPS_FILE = "stripe.webhook.stripe-ips-file";

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
     * How many worker threads handle stored events with {@code async} processing, each one event
     * (one transaction) at a time. Environment: {@code STRIPE_WEBHOOK_WORKERS}. Default 2. Value:
     * {@value}.
     */
    public static final String WORKERS = "stripe.webhook.workers";

    /**
     * After how many days done events are deleted from the inbox; failed and dead ones are kept.
     * Environment: {@code STRIPE_WEBHOOK_RETENTION_DAYS}. Default 30. Value: {@value}.
     */
    public static final String RETENTION_DAYS = "stripe.webhook.retention-days";

    /**
     * Raise a {@link WebhookAlert} when no delivery verified for this many minutes. Environment:
     * {@code STRIPE_WEBHOOK_ALERT_SILENCE_MINUTES}. Default: off. Value: {@value}.
     */
    public static final String ALERT_SILENCE = "stripe.webhook.alert.silence-minutes";

    /**
     * Raise a {@link WebhookAlert} when more than N deliveries fail verification within M
     * minutes, written {@code N/M} ({@code 20/5}). Environment: {@code
     * STRIPE_WEBHOOK_ALERT_FAILURES}. Default: off. Value: {@value}.
     */
    public static final String ALERT_FAILURES = "stripe.webhook.alert.failures";

    /**
     * Debug mode, sensitive: until this instant (ISO-8601, such as {@code 2026-11-23T18:30:00Z},
     * at most 24 hours after start-up), the filter logs each delivery's raw {@code
     * Stripe-Signature} header and body at INFO on the logger {@code dev.stripewebhook.debug};
     * afterwards it stops by itself. Payloads hold customer data, and a logged header and body
     * can be replayed within the tolerance: turn it on only to investigate, and keep such logs
     * private. The signing secret is never logged. Environment: {@code
     * STRIPE_WEBHOOK_DEBUG_UNTIL}. Default: off. Value: {@value}.
     */
    public static final String DEBUG_UNTIL = "stripe.webhook.debug-until";

    /**
     * The endpoint's name: its inbox rows, workers and console view are its own. Two endpoints
     * in one application (a platform and a Connect endpoint) need a name each; 1 to 64
     * characters of letters, digits, {@code .}, {@code _} and {@code -}. Environment: {@code
     * STRIPE_WEBHOOK_ENDPOINT}. Default {@code default}. Value: {@value}.
     */
    public static final String ENDPOINT = "stripe.webhook.endpoint";

    /**
     * How long, in seconds, a delivery's body may take to arrive in full (1 to 300): a sender
     * trickling bytes cannot hold a request thread longer. Environment: {@code
     * STRIPE_WEBHOOK_BODY_TIMEOUT}. Default 10. Value: {@value}.
     */
    public static final String BODY_TIMEOUT = "stripe.webhook.body-timeout";

    /**
     * How long, in seconds, a delivery of an event that another delivery is processing waits for
     * that outcome before it is answered 409 (0 to 60). Environment: {@code
     * STRIPE_WEBHOOK_IN_PROGRESS_WAIT}. Default 5. Value: {@value}.
     */
    public static final String IN_PROGRESS_WAIT = "stripe.webhook.in-progress-wait";

    /**
     * The forwarding header the trusted proxies write, {@code X-Forwarded-For} or {@code
     * Forwarded}; the other is ignored. Unset: both are read, and a request on which they name
     * different clients is refused. Environment: {@code STRIPE_WEBHOOK_FORWARDED_HEADER}.
     * Value: {@value}.
     */
    public static final String FORWARDED_HEADER = "stripe.webhook.forwarded-header";

    /**
     * How many events the in-memory inbox (no DataSource configured) keeps, 100 to 10,000,000.
     * When full, it forgets the oldest finished event, else the oldest failed or dead one (logged
     * as a warning); only when every stored event is received or processing is a new one answered
     * 503. Environment: {@code STRIPE_WEBHOOK_MEMORY_CAPACITY}. Default 10,000. Value: {@value}.
     */
    public static final String MEMORY_CAPACITY = "stripe.webhook.memory-capacity";

    private static final Map<String, String> ENVIRONMENT = Map.ofEntries(
        Map.entry(SECRETS, "STRIPE_WEBHOOK_SECRET"),
        Map.entry(TOLERANCE, "STRIPE_WEBHOOK_TOLERANCE"),
        Map.entry(MAX_BODY, "STRIPE_WEBHOOK_MAX_BODY"),
        Map.entry(HANDLERS, "STRIPE_WEBHOOK_HANDLERS"),
        Map.entry(SECRETS_TEST, "STRIPE_WEBHOOK_SECRET_TEST"),
        Map.entry(SECRETS_LIVE, "STRIPE_WEBHOOK_SECRET_LIVE"),
        Map.entry(LIVEMODE, "STRIPE_WEBHOOK_LIVEMODE"),
        Map.entry(ACCOUNTS, "STRIPE_WEBHOOK_ACCOUNTS"),
        Map.entry(ALLOWED_IPS, "STRIPE_WEBHOOK_ALLOWED_IPS"),
        Map.entry(TRUSTED_PROXIES, "STRIPE_WEBHOOK_TRUSTED_PROXIES"),
        Map.entry(STRIPE_IPS_FILE, "STRIPE_WEBHOOK_STRIPE_IPS_FILE"),
        Map.entry(PROCESSING, "STRIPE_WEBHOOK_PROCESSING"),
        Map.entry(DATASOURCE, "STRIPE_WEBHOOK_DATASOURCE"),
        Map.entry(ATTEMPTS, "STRIPE_WEBHOOK_ATTEMPTS"),
        Map.entry(WORKERS, "STRIPE_WEBHOOK_WORKERS"),
        Map.entry(RETENTION_DAYS, "STRIPE_WEBHOOK_RETENTION_DAYS"),
        Map.entry(ALERT_SILENCE, "STRIPE_WEBHOOK_ALERT_SILENCE_MINUTES"),
        Map.entry(ALERT_FAILURES, "STRIPE_WEBHOOK_ALERT_FAILURES"),
        Map.entry(DEBUG_UNTIL, "STRIPE_WEBHOOK_DEBUG_UNTIL"),
        Map.entry(ENDPOINT, "STRIPE_WEBHOOK_ENDPOINT"),
        Map.entry(BODY_TIMEOUT, "STRIPE_WEBHOOK_BODY_TIMEOUT"),
        Map.entry(IN_PROGRESS_WAIT, "STRIPE_WEBHOOK_IN_PROGRESS_WAIT"),
        Map.entry(FORWARDED_HEADER, "STRIPE_WEBHOOK_FORWARDED_HEADER"),
        Map.entry(MEMORY_CAPACITY, "STRIPE_WEBHOOK_MEMORY_CAPACITY"));

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
  /** Default worker threads of async processing. */
  public static final int DEFAULT_WORKERS = 2;
  /** Default days done events are kept in the inbox. */
  public static final int DEFAULT_RETENTION_DAYS = 30;
  /** Default number of events the in-memory inbox keeps. */
  public static final int DEFAULT_MEMORY_CAPACITY = 10_000;

  /** Default tolerance: Stripe's SDKs use 300 seconds. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);
  /** Default largest body: 1 MiB, far above the largest Stripe event. */
  public static final int DEFAULT_MAX_BODY = 1 << 20;
  /** How far after start-up {@link Keys#DEBUG_UNTIL} may be: 24 hours. */
  public static final Duration MAX_DEBUG_PERIOD = Duration.ofHours(24);

  private static final String SECRET_PREFIX = "whsec_";

  /** Which events a deployment accepts, by their {@code livemode}. */
  public enum Livemode {
    /** Test-mode events only. */
    TEST,
    /** Live-mode events only. */
    LIVE,
    /** Both. */
    ANY;

    /** Whether an event whose {@code livemode} is {@code live} is accepted. */
    public boolean accepts(boolean live) {
      return this == ANY || (this == LIVE) == live;
    }
  }

  private final List<String> secrets;
  private final Duration tolerance;
  private final int maxBodySize;
  private final Clock clock;
  private final List<String> handlerClassNames;
  private final List<String> testSecrets;
  private final List<String> liveSecrets;
  private final Livemode livemode;
  private final Set<String> accounts;
  private final List<String> allowedIps;
  private final List<String> trustedProxies;
  private final String stripeIpsFile;
  private final Processing processing;
  private final String dataSourceName;
  private final int attempts;
  private final int workers;
  private final int retentionDays;
  private final Duration alertSilence;
  private final int alertMaxFailures;
  private final Duration alertWindow;
  private final Instant debugUntil;
  private final String endpoint;
  private final Duration bodyTimeout;
  private final Duration inProgressWait;
  private final String forwardedHeader;
  private final int memoryCapacity;

  private WebhookConfig(Builder builder) {
    this.secrets = List.copyOf(builder.secrets);
    this.tolerance = builder.tolerance;
    this.maxBodySize = builder.maxBodySize;
    this.clock = builder.clock;
    this.handlerClassNames = List.copyOf(builder.handlerClassNames);
    this.testSecrets = List.copyOf(builder.testSecrets);
    this.liveSecrets = List.copyOf(builder.liveSecrets);
    this.livemode = builder.livemode;
    this.accounts = Set.copyOf(builder.accounts);
    this.allowedIps = List.copyOf(builder.allowedIps);
    this.trustedProxies = List.copyOf(builder.trustedProxies);
    this.stripeIpsFile = builder.stripeIpsFile;
    this.processing = builder.processing;
    this.dataSourceName = builder.dataSourceName;
    this.attempts = builder.attempts;
    this.workers = builder.workers;
    this.retentionDays = builder.retentionDays;
    this.alertSilence = builder.alertSilence;
    this.alertMaxFailures = builder.alertMaxFailures;
    this.alertWindow = builder.alertWindow;
    this.debugUntil = builder.debugUntil;
    this.endpoint = builder.endpoint;
    this.bodyTimeout = builder.bodyTimeout;
    this.inProgressWait = builder.inProgressWait;
    this.forwardedHeader = builder.forwardedHeader;
    this.memoryCapacity = builder.memoryCapacity;
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
  @SuppressWarnings("varargs") // the sources are only read
  public static Builder builderFromSources(Function<String, String>... sources) {
    Function<String, String>[] list = sources;
    Builder builder = builder();
    String secrets = lookup(list, Keys.SECRETS);
    if (secrets != null) {
      builder.secrets(CommaList.split(secrets));
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
      builder.handlerClassNames(CommaList.split(handlers));
    }
    String test = lookup(list, Keys.SECRETS_TEST);
    if (test != null) {
      builder.testSecrets(CommaList.split(test));
    }
    String live = lookup(list, Keys.SECRETS_LIVE);
    if (live != null) {
      builder.liveSecrets(CommaList.split(live));
    }
    String livemode = lookup(list, Keys.LIVEMODE);
    if (livemode != null) {
      try {
        builder.livemode(Livemode.valueOf(livemode.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(Keys.LIVEMODE + ": '" + livemode
            + "' is not test, live or any");
      }
    }
    String accounts = lookup(list, Keys.ACCOUNTS);
    if (accounts != null) {
      builder.accounts(CommaList.split(accounts));
    }
    String allowedIps = lookup(list, Keys.ALLOWED_IPS);
    if (allowedIps != null) {
      builder.allowedIps(CommaList.split(allowedIps));
    }
    String trustedProxies = lookup(list, Keys.TRUSTED_PROXIES);
    if (trustedProxies != null) {
      builder.trustedProxies(CommaList.split(trustedProxies));
    }
    builder.stripeIpsFile(lookup(list, Keys.STRIPE_IPS_FILE));
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
    String workers = lookup(list, Keys.WORKERS);
    if (workers != null) {
      builder.workers(parseWholeNumber(Keys.WORKERS, workers, "threads"));
    }
    String silence = lookup(list, Keys.ALERT_SILENCE);
    if (silence != null) {
      builder.alertSilence(Duration.ofMinutes(
          parseWholeNumber(Keys.ALERT_SILENCE, silence, "minutes")));
    }
    String failures = lookup(list, Keys.ALERT_FAILURES);
    if (failures != null) {
      int slash = failures.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException(Keys.ALERT_FAILURES + ": '" + failures
            + "' is not N/M (more than N failures within M minutes)");
      }
      builder.alertFailures(
          (int) parseWholeNumber(Keys.ALERT_FAILURES, failures.substring(0, slash), "failures"),
          Duration.ofMinutes(parseWholeNumber(Keys.ALERT_FAILURES, failures.substring(slash + 1),
              "minutes")));
    }
    String retention = lookup(list, Keys.RETENTION_DAYS);
    if (retention != null) {
      builder.retentionDays(parseWholeNumber(Keys.RETENTION_DAYS, retention, "days"));
    }
    String endpoint = lookup(list, Keys.ENDPOINT);
    if (endpoint != null) {
      builder.endpoint(endpoint);
    }
    String bodyTimeout = lookup(list, Keys.BODY_TIMEOUT);
    if (bodyTimeout != null) {
      builder.bodyTimeout(Duration.ofSeconds(
          parseWholeNumber(Keys.BODY_TIMEOUT, bodyTimeout, "seconds")));
    }
    String wait = lookup(list, Keys.IN_PROGRESS_WAIT);
    if (wait != null) {
      builder.inProgressWait(Duration.ofSeconds(
          parseWholeNumber(Keys.IN_PROGRESS_WAIT, wait, "seconds")));
    }
    String forwardedHeader = lookup(list, Keys.FORWARDED_HEADER);
    if (forwardedHeader != null) {
      builder.forwardedHeader(forwardedHeader);
    }
    String memoryCapacity = lookup(list, Keys.MEMORY_CAPACITY);
    if (memoryCapacity != null) {
      builder.memoryCapacity(parseWholeNumber(Keys.MEMORY_CAPACITY, memoryCapacity, "events"));
    }
    String debugUntil = lookup(list, Keys.DEBUG_UNTIL);
    if (debugUntil != null) {
      try {
        builder.debugUntil(Instant.parse(debugUntil));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(Keys.DEBUG_UNTIL + ": '" + debugUntil
            + "' is not an ISO-8601 instant such as 2026-11-23T18:30:00Z");
      }
    }
    return builder;
  }

  private static String lookup(Function<String, String>[] sources, String key) {
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

  /** The endpoint's name, {@code default} unless {@value Keys#ENDPOINT} says otherwise. */
  public String endpoint() {
    return endpoint;
  }

  /** How long a body may take to arrive in full. */
  public Duration bodyTimeout() {
    return bodyTimeout;
  }

  /** How long a delivery of an event being processed elsewhere waits for its outcome. */
  public Duration inProgressWait() {
    return inProgressWait;
  }

  /** The forwarding header the trusted proxies write; empty: both are read. */
  public Optional<String> forwardedHeader() {
    return Optional.ofNullable(forwardedHeader);
  }

  /** How many events the in-memory inbox keeps; unused when events go to a DataSource. */
  public int memoryCapacity() {
    return memoryCapacity;
  }

  /** The signing secrets not bound to a mode; any one may match. */
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

  /** Test-mode signing secrets: what they verify must be a test-mode event. */
  public List<String> testSecrets() {
    return testSecrets;
  }

  /** Live-mode signing secrets: what they verify must be a live-mode event. */
  public List<String> liveSecrets() {
    return liveSecrets;
  }

  /** Which events this deployment accepts. */
  public Livemode livemode() {
    return livemode;
  }

  /** The connected accounts whose events are accepted; empty: any. */
  public Set<String> accounts() {
    return accounts;
  }

  /** The allowed client addresses and ranges ({@code stripe}: Stripe's); empty: any. */
  public List<String> allowedIps() {
    return allowedIps;
  }

  /** The proxies whose forwarded headers are believed. */
  public List<String> trustedProxies() {
    return trustedProxies;
  }

  /** The file replacing the bundled list of Stripe's addresses, or null. */
  public String stripeIpsFile() {
    return stripeIpsFile;
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

  /** Worker threads that handle stored events with async processing. */
  public int workers() {
    return workers;
  }

  /** How long without a verified delivery raises an alert, or null: off. */
  public Duration alertSilence() {
    return alertSilence;
  }

  /** More verification failures than this within {@link #alertWindow()} raise an alert. */
  public int alertMaxFailures() {
    return alertMaxFailures;
  }

  /** The window of the failure alert, or null: off. */
  public Duration alertWindow() {
    return alertWindow;
  }

  /** Days done events are kept in the inbox. */
  public int retentionDays() {
    return retentionDays;
  }

  /**
   * Until when debug mode logs raw headers and bodies (see {@link Keys#DEBUG_UNTIL}); empty when
   * it is off.
   */
  public Optional<Instant> debugUntil() {
    return Optional.ofNullable(debugUntil);
  }

  /** A description without any secret. */
  @Override
  public String toString() {
    return "WebhookConfig[secrets=" + secrets.size() + "+" + testSecrets.size() + " test+"
        + liveSecrets.size() + " live, tolerance=" + tolerance.getSeconds() + "s, maxBodySize="
        + maxBodySize + ", livemode=" + livemode + ", accounts=" + accounts + ", allowedIps="
        + allowedIps + ", trustedProxies=" + trustedProxies + ", handlers=" + handlerClassNames
        + ", processing=" + processing.name().toLowerCase(Locale.ROOT) + ", datasource="
        + (dataSourceName == null ? "none" : dataSourceName) + ", attempts=" + attempts
        + ", workers=" + workers
        + ", retentionDays=" + retentionDays
        + (debugUntil == null ? "" : ", debugUntil=" + debugUntil) + "]";
  }

  /** Builds a {@link WebhookConfig}; not thread safe. */
  public static final class Builder {
    private final List<String> secrets = new ArrayList<>();
    private Duration tolerance = DEFAULT_TOLERANCE;
    private int maxBodySize = DEFAULT_MAX_BODY;
    private Clock clock = Clock.systemUTC();
    private final List<String> handlerClassNames = new ArrayList<>();
    private final List<String> testSecrets = new ArrayList<>();
    private final List<String> liveSecrets = new ArrayList<>();
    private Livemode livemode = Livemode.ANY;
    private final Set<String> accounts = new LinkedHashSet<>();
    private final List<String> allowedIps = new ArrayList<>();
    private final List<String> trustedProxies = new ArrayList<>();
    private String stripeIpsFile;
    private Processing processing = Processing.SYNC;
    private String dataSourceName;
    private int attempts = DEFAULT_ATTEMPTS;
    private int workers = DEFAULT_WORKERS;
    private int retentionDays = DEFAULT_RETENTION_DAYS;
    private Duration alertSilence;
    private int alertMaxFailures;
    private Duration alertWindow;
    private Instant debugUntil;
    private String endpoint = "default";
    private Duration bodyTimeout = Duration.ofSeconds(10);
    private Duration inProgressWait = Duration.ofSeconds(5);
    private String forwardedHeader;
    private int memoryCapacity = DEFAULT_MEMORY_CAPACITY;

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

    /** Replaces the test-mode secrets: what they verify must be a test-mode event. */
    public Builder testSecrets(Collection<String> secrets) {
      replace(testSecrets, secrets);
      return this;
    }

    /** Replaces the live-mode secrets: what they verify must be a live-mode event. */
    public Builder liveSecrets(Collection<String> secrets) {
      replace(liveSecrets, secrets);
      return this;
    }

    /** Which events this deployment accepts (default {@link Livemode#ANY}). */
    public Builder livemode(Livemode livemode) {
      this.livemode = Objects.requireNonNull(livemode, "livemode == null");
      return this;
    }

    /** Replaces the accepted connected accounts; empty: any. */
    public Builder accounts(Collection<String> accounts) {
      this.accounts.clear();
      this.accounts.addAll(accounts);
      return this;
    }

    /** Replaces the allowed client addresses and ranges ({@code stripe}: Stripe's). */
    public Builder allowedIps(Collection<String> allowed) {
      replace(allowedIps, allowed);
      return this;
    }

    /** Replaces the proxies whose forwarded headers are believed. */
    public Builder trustedProxies(Collection<String> proxies) {
      replace(trustedProxies, proxies);
      return this;
    }

    /** A file replacing the bundled list of Stripe's addresses; null: the bundled one. */
    public Builder stripeIpsFile(String path) {
      this.stripeIpsFile = path;
      return this;
    }

    private static void replace(List<String> target, Collection<String> values) {
      Objects.requireNonNull(values, "values == null");
      target.clear();
      for (String value : values) {
        target.add(Objects.requireNonNull(value, "value == null"));
      }
    }

    /** Alert after this long without a verified delivery; null turns it off (the default). */
    public Builder alertSilence(Duration silence) {
      if (silence != null && (silence.isNegative() || silence.isZero())) {
        throw new IllegalArgumentException(Keys.ALERT_SILENCE + ": must be at least 1 minute");
      }
      this.alertSilence = silence;
      return this;
    }

    /** Alert when more than {@code max} verifications fail within {@code window}; null: off. */
    public Builder alertFailures(int max, Duration window) {
      if (window != null && (max < 0 || window.isNegative() || window.isZero())) {
        throw new IllegalArgumentException(Keys.ALERT_FAILURES + ": N must be ≥ 0 and M ≥ 1");
      }
      this.alertMaxFailures = max;
      this.alertWindow = window;
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

    /** Worker threads of async processing, from 1 to 64; default 2. */
    public Builder workers(long workers) {
      if (workers < 1 || workers > 64) {
        throw new IllegalArgumentException(Keys.WORKERS + ": must be between 1 and 64, was "
            + workers);
      }
      this.workers = (int) workers;
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
     * Turns debug mode on until {@code until} (see {@link Keys#DEBUG_UNTIL}), at most {@link
     * #MAX_DEBUG_PERIOD} after the clock's now when {@link #build()} runs; null: off (default).
     */
    public Builder debugUntil(Instant until) {
      this.debugUntil = until;
      return this;
    }

    /**
     * The endpoint's name.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code .}, {@code _}, {@code -}
     */
    public Builder endpoint(String name) {
      if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(Keys.ENDPOINT + ": '" + name + "' is not 1 to 64"
            + " letters, digits, '.', '_' or '-'");
      }
      this.endpoint = name;
      return this;
    }

    /**
     * How long a body may take to arrive in full.
     *
     * @throws IllegalArgumentException unless 1 to 300 seconds
     */
    public Builder bodyTimeout(Duration timeout) {
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0
          || timeout.compareTo(Duration.ofSeconds(300)) > 0) {
        throw new IllegalArgumentException(Keys.BODY_TIMEOUT + ": " + timeout.toSeconds()
            + " s is not within 1 to 300 seconds");
      }
      this.bodyTimeout = timeout;
      return this;
    }

    /**
     * The forwarding header the trusted proxies write.
     *
     * @throws IllegalArgumentException unless {@code X-Forwarded-For} or {@code Forwarded} (any
     *     case)
     */
    public Builder forwardedHeader(String name) {
      this.forwardedHeader = switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
        case "x-forwarded-for" -> "X-Forwarded-For";
        case "forwarded" -> "Forwarded";
        default -> throw new IllegalArgumentException(Keys.FORWARDED_HEADER + ": '" + name
            + "' is neither X-Forwarded-For nor Forwarded");
      };
      return this;
    }

    /**
     * How long a delivery of an event being processed elsewhere waits for its outcome.
     *
     * @throws IllegalArgumentException unless 0 to 60 seconds
     */
    public Builder inProgressWait(Duration wait) {
      if (wait.isNegative() || wait.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException(Keys.IN_PROGRESS_WAIT + ": " + wait.toSeconds()
            + " s is not within 0 to 60 seconds");
      }
      this.inProgressWait = wait;
      return this;
    }

    /**
     * How many events the in-memory inbox keeps.
     *
     * @throws IllegalArgumentException unless 100 to 10,000,000
     */
    public Builder memoryCapacity(long events) {
      if (events < 100 || events > 10_000_000) {
        throw new IllegalArgumentException(Keys.MEMORY_CAPACITY + ": must be between 100 and"
            + " 10000000 events, was " + events + "; to keep more, configure a DataSource ("
            + Keys.DATASOURCE + ")");
      }
      this.memoryCapacity = (int) events;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalStateException when no secret is configured
     * @throws IllegalArgumentException when a secret is not a webhook signing secret
     */
    public WebhookConfig build() {
      if (secrets.isEmpty() && testSecrets.isEmpty() && liveSecrets.isEmpty()) {
        throw new IllegalStateException(Keys.SECRETS + ": no webhook signing secret configured;"
            + " set the environment variable STRIPE_WEBHOOK_SECRET (or the " + Keys.SECRETS
            + " init-param or system property) to the endpoint's signing secret, whsec_...");
      }
      checkSecrets(Keys.SECRETS, secrets);
      checkSecrets(Keys.SECRETS_TEST, testSecrets);
      checkSecrets(Keys.SECRETS_LIVE, liveSecrets);
      if (livemode == Livemode.TEST && !liveSecrets.isEmpty()) {
        throw new IllegalArgumentException(Keys.SECRETS_LIVE + ": live-mode secrets are"
            + " configured, but " + Keys.LIVEMODE + " is test: a deployment that only accepts"
            + " test events must not hold a live secret");
      }
      if (livemode == Livemode.LIVE && !testSecrets.isEmpty()) {
        throw new IllegalArgumentException(Keys.SECRETS_TEST + ": test-mode secrets are"
            + " configured, but " + Keys.LIVEMODE + " is live");
      }
      for (String account : accounts) {
        if (!account.startsWith("acct_")) {
          throw new IllegalArgumentException(Keys.ACCOUNTS + ": '" + account
              + "' is not a connected account id (acct_...)");
        }
      }
      if (debugUntil != null && debugUntil.isAfter(clock.instant().plus(MAX_DEBUG_PERIOD))) {
        throw new IllegalArgumentException(Keys.DEBUG_UNTIL + ": " + debugUntil + " is more than "
            + MAX_DEBUG_PERIOD.toHours() + " hours ahead; debug mode logs sensitive data, so it"
            + " is meant for a short investigation: give a nearer end");
      }
      return new WebhookConfig(this);
    }

    private static void checkSecrets(String key, List<String> secrets) {
      for (int i = 0; i < secrets.size(); i++) {
        String secret = secrets.get(i);
        if (!secret.startsWith(SECRET_PREFIX) || secret.length() == SECRET_PREFIX.length()) {
          throw new IllegalArgumentException(key + ": secret " + (i + 1) + " of "
              + secrets.size() + " does not start with whsec_" + describeWrongKey(secret)
              + "; copy the signing secret from the webhook endpoint's page in the Stripe"
              + " Dashboard, or the one `stripe listen` prints, not an API key");
        }
      }
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
