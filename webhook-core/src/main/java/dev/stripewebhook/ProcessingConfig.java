// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How verified events are handled and stored: sync or async, the handlers, the inbox (its
 * DataSource, the endpoint name its rows carry, attempts, retention, the in-memory capacity) and
 * the workers, the Stripe API key and what thin events give snapshot-typed code. Part of a {@link
 * WebhookConfig}; immutable.
 *
 * @since 0.2
 */
public final class ProcessingConfig {
  private final WebhookConfig.Processing mode;
  private final List<String> handlers;
  private final Optional<String> dataSource;
  private final String endpoint;
  private final int workers;
  private final int attempts;
  private final int retentionDays;
  private final Duration inProgressWait;
  private final int memoryCapacity;
  private final Optional<String> apiKey;
  private final WebhookConfig.ThinEvents thinEvents;

  ProcessingConfig(
      WebhookConfig.Processing mode,
      List<String> handlers,
      Optional<String> dataSource,
      String endpoint,
      int workers,
      int attempts,
      int retentionDays,
      Duration inProgressWait,
      int memoryCapacity,
      Optional<String> apiKey,
      WebhookConfig.ThinEvents thinEvents) {
    this.mode = mode;
    this.handlers = List.copyOf(handlers);
    this.dataSource = dataSource;
    this.endpoint = endpoint;
    this.workers = workers;
    this.attempts = attempts;
    this.retentionDays = retentionDays;
    this.inProgressWait = inProgressWait;
    this.memoryCapacity = memoryCapacity;
    this.apiKey = apiKey;
    this.thinEvents = thinEvents;
  }

  /** When handlers run ({@value WebhookConfig.Keys#PROCESSING}). */
  public WebhookConfig.Processing mode() {
    return mode;
  }

  /** Whether handlers run after the event is stored, by workers. */
  public boolean isAsync() {
    return mode == WebhookConfig.Processing.ASYNC;
  }

  /** Class names of handlers to instantiate, in order; may be empty. */
  public List<String> handlers() {
    return handlers;
  }

  /** The JNDI name of the inbox's DataSource; empty: the inbox is in memory. */
  public Optional<String> dataSource() {
    return dataSource;
  }

  /** The endpoint's name ({@value WebhookConfig.Keys#ENDPOINT}). */
  public String endpoint() {
    return endpoint;
  }

  /** Worker threads that handle stored events with async processing. */
  public int workers() {
    return workers;
  }

  /** Failed attempts after which an event is dead. */
  public int attempts() {
    return attempts;
  }

  /** Days done events are kept in the inbox. */
  public int retentionDays() {
    return retentionDays;
  }

  /** How long a delivery of an event being processed elsewhere waits for its outcome. */
  public Duration inProgressWait() {
    return inProgressWait;
  }

  /** How many events the in-memory inbox keeps; unused when events go to a DataSource. */
  public int memoryCapacity() {
    return memoryCapacity;
  }

  /**
   * The Stripe API key ({@value WebhookConfig.Keys#API_KEY}); empty: none. A secret: never log or
   * show it ({@link #toString()} says only whether one is set).
   */
  public Optional<String> apiKey() {
    return apiKey;
  }

  /** What thin events give snapshot-typed code ({@value WebhookConfig.Keys#THIN_EVENTS}). */
  public WebhookConfig.ThinEvents thinEvents() {
    return thinEvents;
  }

  @Override
  public String toString() {
    return "processing="
        + mode.name().toLowerCase(Locale.ROOT)
        + ", handlers="
        + handlers
        + ", datasource="
        + dataSource.orElse("none")
        + ", endpoint="
        + endpoint
        + ", workers="
        + workers
        + ", attempts="
        + attempts
        + ", retentionDays="
        + retentionDays
        + ", inProgressWait="
        + inProgressWait.toSeconds()
        + "s, memoryCapacity="
        + memoryCapacity
        + ", apiKey="
        + (apiKey.isPresent() ? "set" : "none")
        + ", thinEvents="
        + thinEvents.name().toLowerCase(Locale.ROOT);
  }
}
