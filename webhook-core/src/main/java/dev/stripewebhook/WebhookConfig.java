// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The immutable configuration of a webhook endpoint, in four parts: {@link #verification()} (the
 * signing secrets, the timestamp tolerance, the clock), {@link #edge()} (client addresses, proxies,
 * the body's size and time, accepted modes and accounts), {@link #processing()} (sync or async,
 * handlers, the inbox, workers, attempts, retention) and {@link #operations()} (alerts, debug
 * mode). Built once at start-up and validated then, so a misconfiguration fails the deployment with
 * one clear line instead of the first webhook.
 *
 * <p>A setting that is not set is an empty list (or set) or an empty {@link Optional}, never null.
 * A name in a {@link ConfigSource} that looks like a key but is none ({@code
 * stripe.webhook.alowed-ips}, {@code STRIPE_WEBHOOK_WORKER}) is logged at start-up as a WARNING on
 * this class's logger, naming the nearest known key; values are never logged.
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
 *   <tr><td>{@value Keys#DELIVERY_LOG_LINES}</td>
 *       <td>{@code STRIPE_WEBHOOK_DELIVERY_LOG_LINES_PER_SECOND}</td><td>100</td></tr>
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
 *   <tr><td>{@value Keys#API_KEY} (secret)</td><td>{@code STRIPE_API_KEY}</td><td>none</td></tr>
 *   <tr><td>{@value Keys#THIN_EVENTS}</td><td>{@code STRIPE_WEBHOOK_THIN_EVENTS}</td>
 *       <td>notify</td></tr>
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
     * Which events this deployment accepts: {@code test}, {@code live} or {@code any} (default); a
     * staging server sets {@code test} and refuses live events. Environment: {@code
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
     * When handlers run: {@code sync}, in the request, which is answered 200 when they succeed and
     * 500 when one fails (Stripe retries); or {@code async}, after the event is stored and answered
     * 200, by worker threads that retry with backoff. Environment: {@code
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
     * Raise a {@link WebhookAlert} when more than N deliveries fail verification within M minutes,
     * written {@code N/M} ({@code 20/5}). Environment: {@code STRIPE_WEBHOOK_ALERT_FAILURES}.
     * Default: off. Value: {@value}.
     */
    public static final String ALERT_FAILURES = "stripe.webhook.alert.failures";

    /**
     * How many deliveries a second get a line of their own on the delivery log ({@code
     * dev.stripewebhook.delivery}); the others are counted by outcome in one summary line about a
     * second later, so that a flood (a backlog after an outage, forged requests) cannot make the
     * log the bottleneck or fill a disk. {@code 0}: every delivery its line. Environment: {@code
     * STRIPE_WEBHOOK_DELIVERY_LOG_LINES_PER_SECOND}. Default 100. Value: {@value}.
     */
    public static final String DELIVERY_LOG_LINES = "stripe.webhook.delivery-log.lines-per-second";

    /**
     * Debug mode, sensitive: until this instant (ISO-8601, such as {@code 2026-11-23T18:30:00Z}, at
     * most 24 hours after start-up), the filter logs each delivery's raw {@code Stripe-Signature}
     * header and body at INFO on the logger {@code dev.stripewebhook.debug}; afterwards it stops by
     * itself. Payloads hold customer data, and a logged header and body can be replayed within the
     * tolerance: turn it on only to investigate, and keep such logs private. The signing secret is
     * never logged. Environment: {@code STRIPE_WEBHOOK_DEBUG_UNTIL}. Default: off. Value: {@value}.
     */
    public static final String DEBUG_UNTIL = "stripe.webhook.debug-until";

    /**
     * The endpoint's name: its inbox rows, workers and console view are its own. Two endpoints in
     * one application (a platform and a Connect endpoint) need a name each; 1 to 64 characters of
     * letters, digits, {@code .}, {@code _} and {@code -}. Environment: {@code
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
     * different clients is refused. Environment: {@code STRIPE_WEBHOOK_FORWARDED_HEADER}. Value:
     * {@value}.
     */
    public static final String FORWARDED_HEADER = "stripe.webhook.forwarded-header";

    /**
     * How many events the in-memory inbox (no DataSource configured) keeps, 100 to 10,000,000. When
     * full, it forgets the oldest finished event, else the oldest failed or dead one (logged as a
     * warning); only when every stored event is received or processing is a new one answered 503.
     * Environment: {@code STRIPE_WEBHOOK_MEMORY_CAPACITY}. Default 10,000. Value: {@value}.
     */
    public static final String MEMORY_CAPACITY = "stripe.webhook.memory-capacity";

    /**
     * The Stripe API key the endpoint's {@code StripeClient} is built with, once: thin event
     * notifications handed to handlers and observers are bound to it, so that their {@code
     * fetchEvent()} and {@code fetchRelatedObject()} work; recovery reads the Events API with it. A
     * secret key ({@code sk_test_}, {@code sk_live_}) or, better, a restricted key ({@code
     * rk_test_}, {@code rk_live_}) that may read events and the objects your handlers fetch. Never
     * logged or shown. Environment: {@code STRIPE_API_KEY}. Default: none. Value: {@value}.
     */
    public static final String API_KEY = "stripe.api-key";

    /**
     * What a thin event notification gives a handler, observer or JAX-RS parameter that asks for a
     * snapshot type ({@code event.dataObject(PaymentIntent.class)}, {@code @StripeEvent Meter}):
     * {@code notify}, only the notification; {@code fetch}, the object too, fetched from Stripe's
     * API with {@value #API_KEY} when the notification's related object is an API v1 object (a
     * related snapshot event gives its data object). Environment: {@code
     * STRIPE_WEBHOOK_THIN_EVENTS}. Default {@code notify}. Value: {@value}.
     */
    public static final String THIN_EVENTS = "stripe.webhook.thin-events";

    /** The environment variable that holds {@code key}. */
    public static String environmentName(String key) {
      return ConfigTable.entry(key).environment();
    }

    /**
     * The default of {@code key}, written as a value of the key would be; empty when the key has
     * none (it is then "not set": an empty list or an empty {@link Optional}).
     */
    public static Optional<String> defaultValue(String key) {
      return ConfigTable.entry(key).defaultText();
    }

    /** Every key, grouped by the part of the configuration it sets. */
    public static List<String> all() {
      return ConfigTable.ENTRIES.stream().map(ConfigTable.Entry::key).toList();
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

  /** What thin event notifications give snapshot-typed code; see {@link Keys#THIN_EVENTS}. */
  public enum ThinEvents {
    /** The notification only; a snapshot type cannot be had from it. */
    NOTIFY,
    /** The related API v1 object too, fetched from Stripe's API with the API key. */
    FETCH
  }

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

  /** How far after start-up {@link Keys#DEBUG_UNTIL} may be: 24 hours. */
  public static final Duration MAX_DEBUG_PERIOD = Duration.ofHours(24);

  private static final String SECRET_PREFIX = "whsec_";

  /** What a Stripe secret or restricted API key starts with. */
  private static final List<String> API_KEY_PREFIXES =
      List.of("sk_test_", "sk_live_", "rk_test_", "rk_live_");

  private final VerificationConfig verification;
  private final EdgeConfig edge;
  private final ProcessingConfig processing;
  private final OperationsConfig operations;

  private WebhookConfig(Builder builder) {
    this.verification =
        new VerificationConfig(
            builder.secrets,
            builder.testSecrets,
            builder.liveSecrets,
            builder.tolerance,
            builder.clock);
    this.edge =
        new EdgeConfig(
            builder.allowedIps,
            builder.trustedProxies,
            builder.forwardedHeader,
            builder.stripeIpsFile,
            builder.livemode,
            builder.accounts,
            builder.maxBody,
            builder.bodyTimeout);
    this.processing =
        new ProcessingConfig(
            builder.processing,
            builder.handlers,
            builder.dataSource,
            builder.endpoint,
            builder.workers,
            builder.attempts,
            builder.retentionDays,
            builder.inProgressWait,
            builder.memoryCapacity,
            builder.apiKey,
            builder.thinEvents);
    this.operations =
        new OperationsConfig(
            builder.alertSilence,
            builder.alertFailures,
            builder.deliveryLogLines,
            builder.debugUntil);
  }

  /** A builder with the defaults; {@link Builder#secrets} must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the configuration from sources asked in order, the first non-blank value winning. Each
   * source is asked for the key ({@code stripe.webhook.secrets}) and then for its environment name
   * ({@code STRIPE_WEBHOOK_SECRET}). A name a source lists that looks like a key but is none
   * ({@code stripe.webhook.alowed-ips}) is logged as a warning naming the nearest key. Typical
   * sources, in the documented order:
   *
   * <pre>{@code
   * WebhookConfig.fromSources(
   *     ConfigSource.of(filterConfig::getInitParameter,
   *         () -> Collections.list(filterConfig.getInitParameterNames())),
   *     ConfigSource.of(context::getInitParameter,
   *         () -> Collections.list(context.getInitParameterNames())),
   *     ConfigSource.systemProperties(), ConfigSource.environment());
   * }</pre>
   *
   * @throws IllegalStateException or IllegalArgumentException naming the key when a value is
   *     missing or invalid
   */
  public static WebhookConfig fromSources(ConfigSource... sources) {
    return builderFromSources(sources).build();
  }

  /** Like {@link #fromSources(ConfigSource...)}, but returns the builder for code to add to. */
  public static Builder builderFromSources(ConfigSource... sources) {
    return ConfigTable.read(List.of(sources));
  }

  /**
   * Like {@link #fromSources(ConfigSource...)} with sources that cannot list their names, so
   * misspelt keys go unreported.
   */
  @SafeVarargs
  @SuppressWarnings("varargs") // the sources are only read
  public static WebhookConfig fromSources(Function<String, String>... sources) {
    return builderFromSources(sources).build();
  }

  /** Like {@link #fromSources(Function...)}, but returns the builder so that code can add to it. */
  @SafeVarargs
  @SuppressWarnings("varargs") // the sources are only read
  public static Builder builderFromSources(Function<String, String>... sources) {
    return ConfigTable.read(Arrays.stream(sources).map(ConfigSource::of).toList());
  }

  /** What signatures are checked with: the secrets, the tolerance, the clock. */
  public VerificationConfig verification() {
    return verification;
  }

  /** Who may post and what is accepted at the door. */
  public EdgeConfig edge() {
    return edge;
  }

  /** How events are handled and stored. */
  public ProcessingConfig processing() {
    return processing;
  }

  /** Alerts and debug mode. */
  public OperationsConfig operations() {
    return operations;
  }

  /** A description without any secret. */
  @Override
  public String toString() {
    return "WebhookConfig["
        + verification
        + ", "
        + edge
        + ", "
        + processing
        + ", "
        + operations
        + "]";
  }

  /**
   * Builds a {@link WebhookConfig}; not thread safe. Starts from the defaults of {@link Keys}; what
   * has no default is "not set": an empty list, or empty when read.
   */
  public static final class Builder {
    private final List<String> secrets = new ArrayList<>();
    private final List<String> testSecrets = new ArrayList<>();
    private final List<String> liveSecrets = new ArrayList<>();
    private Duration tolerance;
    private Clock clock = Clock.systemUTC();
    private final List<String> allowedIps = new ArrayList<>();
    private final List<String> trustedProxies = new ArrayList<>();
    private Optional<String> forwardedHeader = Optional.empty();
    private Optional<String> stripeIpsFile = Optional.empty();
    private Livemode livemode;
    private final Set<String> accounts = new LinkedHashSet<>();
    private int maxBody;
    private Duration bodyTimeout;
    private Processing processing;
    private final List<String> handlers = new ArrayList<>();
    private Optional<String> dataSource = Optional.empty();
    private String endpoint;
    private int workers;
    private int attempts;
    private int retentionDays;
    private Duration inProgressWait;
    private int memoryCapacity;
    private Optional<String> apiKey = Optional.empty();
    private ThinEvents thinEvents;
    private Optional<Duration> alertSilence = Optional.empty();
    private Optional<OperationsConfig.FailureAlert> alertFailures = Optional.empty();
    private int deliveryLogLines;
    private Optional<Instant> debugUntil = Optional.empty();

    private Builder() {
      ConfigTable.applyDefaults(this);
    }

    /** Replaces the signing secrets; any one may match (secret rotation). */
    public Builder secrets(String... secrets) {
      return secrets(Arrays.asList(secrets));
    }

    /** Replaces the signing secrets; any one may match (secret rotation). */
    public Builder secrets(Collection<String> secrets) {
      replace(this.secrets, secrets);
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

    /** How far the signed timestamp may be from the clock, either way; whole seconds, ≥ 0. */
    public Builder tolerance(Duration tolerance) {
      Objects.requireNonNull(tolerance, "tolerance == null");
      if (tolerance.isNegative() || tolerance.getNano() != 0) {
        throw new IllegalArgumentException(
            Keys.TOLERANCE + ": must be a whole number of seconds" + " ≥ 0, was " + tolerance);
      }
      this.tolerance = tolerance;
      return this;
    }

    /** The clock to check timestamps against; tests pass {@code Clock.fixed(...)}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
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

    /**
     * The forwarding header the trusted proxies write.
     *
     * @throws IllegalArgumentException unless {@code X-Forwarded-For} or {@code Forwarded} (any
     *     case)
     */
    public Builder forwardedHeader(String name) {
      this.forwardedHeader =
          Optional.of(
              switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
                case "x-forwarded-for" -> "X-Forwarded-For";
                case "forwarded" -> "Forwarded";
                default ->
                    throw new IllegalArgumentException(
                        Keys.FORWARDED_HEADER
                            + ": '"
                            + name
                            + "' is neither X-Forwarded-For nor Forwarded");
              });
      return this;
    }

    /** A file replacing the bundled list of Stripe's addresses. */
    public Builder stripeIpsFile(String path) {
      this.stripeIpsFile = Optional.of(Objects.requireNonNull(path, "path == null"));
      return this;
    }

    /** Which events this deployment accepts (default {@link Livemode#ANY}). */
    public Builder livemode(Livemode livemode) {
      this.livemode = Objects.requireNonNull(livemode, "livemode == null");
      return this;
    }

    /** Replaces the accepted connected accounts; empty: any. */
    public Builder accounts(Collection<String> accounts) {
      Objects.requireNonNull(accounts, "accounts == null");
      this.accounts.clear();
      for (String account : accounts) {
        this.accounts.add(Objects.requireNonNull(account, "account == null"));
      }
      return this;
    }

    /** The largest body accepted, in bytes, from 1 to 2^31 - 9. */
    public Builder maxBody(long bytes) {
      if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            Keys.MAX_BODY
                + ": must be between 1 and "
                + (Integer.MAX_VALUE - 8)
                + " bytes, was "
                + bytes);
      }
      this.maxBody = (int) bytes;
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
        throw new IllegalArgumentException(
            Keys.BODY_TIMEOUT + ": " + timeout.toSeconds() + " s is not within 1 to 300 seconds");
      }
      this.bodyTimeout = timeout;
      return this;
    }

    /** When handlers run (see {@link Keys#PROCESSING}); default {@link Processing#SYNC}. */
    public Builder processing(Processing processing) {
      this.processing = Objects.requireNonNull(processing, "processing == null");
      return this;
    }

    /** Replaces the handler class names (see {@link Keys#HANDLERS}). */
    public Builder handlers(Collection<String> classNames) {
      replace(handlers, classNames);
      return this;
    }

    /** The JNDI name of the inbox's DataSource (see {@link Keys#DATASOURCE}); blank: none. */
    public Builder dataSource(String jndiName) {
      Objects.requireNonNull(jndiName, "jndiName == null");
      this.dataSource = jndiName.isBlank() ? Optional.empty() : Optional.of(jndiName.strip());
      return this;
    }

    /**
     * The endpoint's name.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code .}, {@code _}, {@code
     *     -}
     */
    public Builder endpoint(String name) {
      if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(
            Keys.ENDPOINT
                + ": '"
                + name
                + "' is not 1 to 64"
                + " letters, digits, '.', '_' or '-'");
      }
      this.endpoint = name;
      return this;
    }

    /** Worker threads of async processing, from 1 to 64. */
    public Builder workers(long workers) {
      this.workers = (int) within(Keys.WORKERS, workers, 1, 64, "");
      return this;
    }

    /** Failed attempts after which an event is dead, from 1 to 1000. */
    public Builder attempts(long attempts) {
      this.attempts = (int) within(Keys.ATTEMPTS, attempts, 1, 1000, "");
      return this;
    }

    /** Days done events are kept in the inbox, from 1 to 36500. */
    public Builder retentionDays(long days) {
      this.retentionDays = (int) within(Keys.RETENTION_DAYS, days, 1, 36_500, " days");
      return this;
    }

    /**
     * How long a delivery of an event being processed elsewhere waits for its outcome.
     *
     * @throws IllegalArgumentException unless 0 to 60 seconds
     */
    public Builder inProgressWait(Duration wait) {
      if (wait.isNegative() || wait.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException(
            Keys.IN_PROGRESS_WAIT + ": " + wait.toSeconds() + " s is not within 0 to 60 seconds");
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
        throw new IllegalArgumentException(
            Keys.MEMORY_CAPACITY
                + ": must be between 100 and"
                + " 10000000 events, was "
                + events
                + "; to keep more, configure a DataSource ("
                + Keys.DATASOURCE
                + ")");
      }
      this.memoryCapacity = (int) events;
      return this;
    }

    /**
     * The Stripe API key (see {@link Keys#API_KEY}).
     *
     * @throws IllegalArgumentException unless a secret or restricted key ({@code sk_test_}, {@code
     *     sk_live_}, {@code rk_test_}, {@code rk_live_}); the message never holds the value
     */
    public Builder apiKey(String key) {
      Objects.requireNonNull(key, "key == null");
      String trimmed = key.strip();
      boolean valid = false;
      for (String prefix : API_KEY_PREFIXES) {
        valid |= trimmed.startsWith(prefix) && trimmed.length() > prefix.length();
      }
      if (!valid) {
        throw new IllegalArgumentException(
            Keys.API_KEY
                + " (STRIPE_API_KEY): not a Stripe secret or restricted API key"
                + describeWrongKey(trimmed)
                + "; give a key that starts with sk_test_, sk_live_, rk_test_ or rk_live_,"
                + " from the Dashboard's API keys page");
      }
      this.apiKey = Optional.of(trimmed);
      return this;
    }

    /** What thin events give snapshot-typed code (see {@link Keys#THIN_EVENTS}). */
    public Builder thinEvents(ThinEvents thinEvents) {
      this.thinEvents = Objects.requireNonNull(thinEvents, "thinEvents == null");
      return this;
    }

    /** Alert after this long without a verified delivery (off unless set); at least 1 minute. */
    public Builder alertSilence(Duration silence) {
      Objects.requireNonNull(silence, "silence == null");
      if (silence.isNegative() || silence.isZero()) {
        throw new IllegalArgumentException(Keys.ALERT_SILENCE + ": must be at least 1 minute");
      }
      this.alertSilence = Optional.of(silence);
      return this;
    }

    /** Alert when over {@code max} verifications fail within {@code window}; off unless set. */
    public Builder alertFailures(int max, Duration window) {
      this.alertFailures = Optional.of(new OperationsConfig.FailureAlert(max, window));
      return this;
    }

    /**
     * Up to {@code perSecond} deliveries a second get a line of their own on the delivery log, the
     * others one summary line (see {@link Keys#DELIVERY_LOG_LINES}); {@code 0}: every delivery.
     */
    public Builder deliveryLogLines(long perSecond) {
      if (perSecond < 0 || perSecond > 1_000_000) {
        throw new IllegalArgumentException(
            Keys.DELIVERY_LOG_LINES + ": must be between 0 and 1000000, was " + perSecond);
      }
      this.deliveryLogLines = (int) perSecond;
      return this;
    }

    /**
     * Turns debug mode on until {@code until} (see {@link Keys#DEBUG_UNTIL}), at most {@link
     * #MAX_DEBUG_PERIOD} after the clock's now when {@link #build()} runs; off unless set.
     */
    public Builder debugUntil(Instant until) {
      this.debugUntil = Optional.of(Objects.requireNonNull(until, "until == null"));
      return this;
    }

    private static void replace(Collection<String> target, Collection<String> values) {
      Objects.requireNonNull(values, "values == null");
      target.clear();
      for (String value : values) {
        target.add(Objects.requireNonNull(value, "value == null"));
      }
    }

    private static long within(String key, long value, long min, long max, String unit) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            key + ": must be between " + min + " and " + max + unit + ", was " + value);
      }
      return value;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalStateException when no secret is configured
     * @throws IllegalArgumentException when a secret is not a webhook signing secret
     */
    public WebhookConfig build() {
      if (secrets.isEmpty() && testSecrets.isEmpty() && liveSecrets.isEmpty()) {
        throw new IllegalStateException(
            Keys.SECRETS
                + ": no webhook signing secret configured;"
                + " set the environment variable STRIPE_WEBHOOK_SECRET (or the "
                + Keys.SECRETS
                + " init-param or system property) to the endpoint's signing secret, whsec_...");
      }
      checkSecrets(Keys.SECRETS, secrets);
      checkSecrets(Keys.SECRETS_TEST, testSecrets);
      checkSecrets(Keys.SECRETS_LIVE, liveSecrets);
      if (livemode == Livemode.TEST && !liveSecrets.isEmpty()) {
        throw new IllegalArgumentException(
            Keys.SECRETS_LIVE
                + ": live-mode secrets are"
                + " configured, but "
                + Keys.LIVEMODE
                + " is test: a deployment that only accepts"
                + " test events must not hold a live secret");
      }
      if (livemode == Livemode.LIVE && !testSecrets.isEmpty()) {
        throw new IllegalArgumentException(
            Keys.SECRETS_TEST
                + ": test-mode secrets are"
                + " configured, but "
                + Keys.LIVEMODE
                + " is live");
      }
      for (String account : accounts) {
        if (!account.startsWith("acct_")) {
          throw new IllegalArgumentException(
              Keys.ACCOUNTS + ": '" + account + "' is not a connected account id (acct_...)");
        }
      }
      Optional<Instant> tooLate =
          debugUntil.filter(until -> until.isAfter(clock.instant().plus(MAX_DEBUG_PERIOD)));
      if (tooLate.isPresent()) {
        throw new IllegalArgumentException(
            Keys.DEBUG_UNTIL
                + ": "
                + tooLate.get()
                + " is more than "
                + MAX_DEBUG_PERIOD.toHours()
                + " hours ahead; debug mode logs"
                + " sensitive data, so it is meant for a short investigation: give a nearer end");
      }
      return new WebhookConfig(this);
    }

    private static void checkSecrets(String key, List<String> secrets) {
      for (int i = 0; i < secrets.size(); i++) {
        String secret = secrets.get(i);
        if (!secret.startsWith(SECRET_PREFIX) || secret.length() == SECRET_PREFIX.length()) {
          throw new IllegalArgumentException(
              key
                  + ": secret "
                  + (i + 1)
                  + " of "
                  + secrets.size()
                  + " does not start with whsec_"
                  + describeWrongKey(secret)
                  + "; copy the signing secret from the webhook endpoint's page in the Stripe"
                  + " Dashboard, or the one `stripe listen` prints, not an API key");
        }
      }
    }

    /** Names a mistaken key's kind by its public prefix only; never echoes the value. */
    private static String describeWrongKey(String value) {
      String lower = value.toLowerCase(Locale.ROOT);
      if (lower.startsWith(SECRET_PREFIX)) {
        return " (it starts with whsec_, which is a webhook signing secret)";
      }
      for (String prefix :
          new String[] {"sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_"}) {
        if (lower.startsWith(prefix)) {
          return " (it starts with " + prefix + ", which is an API key)";
        }
      }
      return "";
    }
  }
}
