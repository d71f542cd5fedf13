// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * How an inbox retries, leases and forgets events. Immutable; built with {@link #builder()}.
 *
 * <pre>{@code
 * InboxOptions options = InboxOptions.builder()
 *     .endpoint("connect")                    // its own rows beside other endpoints' ones
 *     .attempts(10)                        // then dead
 *     .retryDelay(Duration.ofSeconds(10))     // 10 s, 20 s, 40 s... with jitter
 *     .retention(Duration.ofDays(30))         // done events pruned after that
 *     .build();
 * }</pre>
 *
 * @since 0.1
 */
public final class InboxOptions {
  /** Default attempts before an event is dead: {@value}. */
  public static final int DEFAULT_ATTEMPTS = 10;

  /** Default seconds a claim holds without renewal: {@value}. */
  public static final int DEFAULT_LEASE_SECONDS = 15;

  /** Default days done events are kept: {@value}. */
  public static final int DEFAULT_RETENTION_DAYS = 30;

  /** The endpoint name of an inbox built without one: {@value}. */
  public static final String DEFAULT_ENDPOINT = "default";

  private static final String ENDPOINT_KEY = "stripe.webhook.endpoint";
  private static final Pattern ENDPOINT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final String endpoint;
  private final Clock clock;
  private final int attempts;
  private final Duration retryDelay;
  private final Duration maxRetryDelay;
  private final Duration lease;
  private final Duration retention;
  private final boolean supersededGuard;
  private final int capacity;
  private final DoubleSupplier jitter;

  private InboxOptions(Builder builder) {
    this.endpoint = builder.endpoint;
    this.clock = builder.clock;
    this.attempts = builder.attempts;
    this.retryDelay = builder.retryDelay;
    this.maxRetryDelay = builder.maxRetryDelay;
    this.lease = builder.lease;
    this.retention = builder.retention;
    this.supersededGuard = builder.supersededGuard;
    this.capacity = builder.capacity;
    this.jitter = builder.jitter;
  }

  /** The defaults. */
  public static InboxOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The name of the endpoint whose events the inbox holds: an inbox sees only its endpoint's
   * events, so that endpoints (a platform and a Connect endpoint, say) share one database.
   */
  public String endpoint() {
    return endpoint;
  }

  /** The clock every time in the inbox comes from. */
  public Clock clock() {
    return clock;
  }

  /** Failed attempts after which an event is dead. */
  public int attempts() {
    return attempts;
  }

  /**
   * How long a claim holds without renewal. The inbox renews the claims of work in progress every
   * lease/3, so this is how long a crashed holder's claim blocks its event, not a limit on work.
   */
  public Duration lease() {
    return lease;
  }

  /** How long done and superseded events are kept. */
  public Duration retention() {
    return retention;
  }

  /** Whether an event older than one already applied for the same object is skipped. */
  public boolean supersededGuard() {
    return supersededGuard;
  }

  /** The most events the in-memory inbox keeps. */
  public int capacity() {
    return capacity;
  }

  /**
   * When an event that failed its {@code attempts}-th attempt at {@code now} may be tried again:
   * exponential backoff from the retry delay, capped, with "equal jitter" (between half and all of
   * the delay) so that many failed events do not come back at the same instant.
   */
  Instant nextAttempt(Instant now, int attempts) {
    long base = retryDelay.toMillis();
    long cap = maxRetryDelay.toMillis();
    int doublings = Math.max(0, Math.min(attempts - 1, 40));
    long delay = base > (cap >> doublings) ? cap : Math.min(cap, base << doublings);
    long half = delay / 2;
    return now.plusMillis(half + (long) (jitter.getAsDouble() * (delay - half)));
  }

  /** Collects options; not thread safe. */
  public static final class Builder {
    private String endpoint = DEFAULT_ENDPOINT;
    private Clock clock = Clock.systemUTC();
    private int attempts = DEFAULT_ATTEMPTS;
    private Duration retryDelay = Duration.ofSeconds(10);
    private Duration maxRetryDelay = Duration.ofHours(1);
    private Duration lease = Duration.ofSeconds(DEFAULT_LEASE_SECONDS);
    private Duration retention = Duration.ofDays(DEFAULT_RETENTION_DAYS);
    private boolean supersededGuard;
    private int capacity = 10_000;
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();

    private Builder() {}

    /**
     * The endpoint's name: 1 to 64 letters, digits, {@code .}, {@code _} or {@code -}; default
     * {@value InboxOptions#DEFAULT_ENDPOINT}. Events stored under one name are invisible to an
     * inbox of another, and the same event id may be stored once under each.
     *
     * @throws IllegalArgumentException naming {@code stripe.webhook.endpoint} when it is not such a
     *     name
     */
    public Builder endpoint(String name) {
      Objects.requireNonNull(name, "endpoint == null");
      if (!ENDPOINT_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            ENDPOINT_KEY
                + ": \""
                + name
                + "\" is not an endpoint"
                + " name; use 1 to 64 letters, digits, '.', '_' or '-', such as platform or connect");
      }
      this.endpoint = name;
      return this;
    }

    /** The clock; tests pass a fake one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /** Failed attempts after which an event is dead, ≥ 1; default 10. */
    public Builder attempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be ≥ 1, was " + attempts);
      }
      this.attempts = attempts;
      return this;
    }

    /** The delay after the first failure, doubled after each further one; default 10 s. */
    public Builder retryDelay(Duration retryDelay) {
      this.retryDelay = positive(retryDelay, "retryDelay");
      return this;
    }

    /** The longest delay between attempts; default 1 hour. */
    public Builder maxRetryDelay(Duration maxRetryDelay) {
      this.maxRetryDelay = positive(maxRetryDelay, "maxRetryDelay");
      return this;
    }

    /**
     * How long a claim holds without renewal; default 15 s. Claims of work in progress are renewed
     * every lease/3, however long the work takes: a longer lease only delays the takeover of an
     * event whose holder crashed, a shorter one renews more often.
     */
    public Builder lease(Duration lease) {
      this.lease = positive(lease, "lease");
      return this;
    }

    /** How long done events are kept before {@link EventInbox#prune()}; default 30 days. */
    public Builder retention(Duration retention) {
      this.retention = positive(retention, "retention");
      return this;
    }

    /**
     * Skips (as {@link InboxStatus#SUPERSEDED}) an event created before the newest done event about
     * the same {@code data.object.id}; off by default. Only for handlers that apply the object's
     * state as a whole, such as {@code customer.subscription.updated}.
     */
    public Builder supersededGuard(boolean enabled) {
      this.supersededGuard = enabled;
      return this;
    }

    /** The most events the in-memory inbox keeps, ≥ 1; default 10,000. */
    public Builder capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be ≥ 1, was " + capacity);
      }
      this.capacity = capacity;
      return this;
    }

    /** The source of jitter, values in [0, 1); tests pass a constant. */
    public Builder jitter(DoubleSupplier jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter == null");
      return this;
    }

    /** The options. */
    public InboxOptions build() {
      return new InboxOptions(this);
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name + " == null");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
