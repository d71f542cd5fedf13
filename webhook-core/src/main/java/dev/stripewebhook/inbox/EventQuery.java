// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * What {@link EventInbox#list} returns: filters (all optional, combined with "and") and one page of
 * at most {@link #limit()} events, newest first ({@code received_at} then {@code event_id}, both
 * descending). Immutable; built with {@link #builder()}.
 *
 * <pre>{@code
 * EventPage page = inbox.list(EventQuery.builder()
 *     .statuses(InboxStatus.FAILED, InboxStatus.DEAD)
 *     .type("invoice.paid")
 *     .limit(50)
 *     .build());
 * // the next page: the same filters, .after(page.next())
 * }</pre>
 *
 * <p>Paging is by position (keyset), not by offset: a page after an opaque cursor costs the same
 * however deep it is, and events stored meanwhile neither shift nor repeat rows.
 *
 * @since 0.1
 */
public final class EventQuery {
  /** The default page size: {@value}. */
  public static final int DEFAULT_LIMIT = 50;

  /** The largest page size: {@value}. */
  public static final int MAX_LIMIT = 500;

  private final Set<InboxStatus> statuses;
  private final String type;
  private final Instant receivedFrom;
  private final Instant receivedBefore;
  private final Boolean livemode;
  private final String search;
  private final int limit;
  private final Position after;

  private EventQuery(Builder builder) {
    this.statuses = builder.statuses.isEmpty() ? Set.of() : Set.copyOf(builder.statuses);
    this.type = builder.type;
    this.receivedFrom = builder.receivedFrom;
    this.receivedBefore = builder.receivedBefore;
    this.livemode = builder.livemode;
    this.search = builder.search;
    this.limit = builder.limit;
    this.after = builder.after;
  }

  /** A builder of a query for the first page of all events. */
  public static Builder builder() {
    return new Builder();
  }

  /** The statuses wanted; empty for any. */
  public Set<InboxStatus> statuses() {
    return statuses;
  }

  /** The event type wanted, or {@code null} for any. */
  public String type() {
    return type;
  }

  /** The earliest {@code received_at} wanted (inclusive), or {@code null}. */
  public Instant receivedFrom() {
    return receivedFrom;
  }

  /** The {@code received_at} all wanted events are before (exclusive), or {@code null}. */
  public Instant receivedBefore() {
    return receivedBefore;
  }

  /** Live-mode events only ({@code true}), test-mode only ({@code false}), or {@code null}. */
  public Boolean livemode() {
    return livemode;
  }

  /** An event id or data object id the events must have, or {@code null}. */
  public String search() {
    return search;
  }

  /** The most events on the page. */
  public int limit() {
    return limit;
  }

  /** Where the page starts: after this event, or {@code null} for the first page. */
  Position after() {
    return after;
  }

  /** Whether an event with these fields passes the filters (not the position). */
  boolean matches(EventSummary event) {
    return (statuses.isEmpty() || statuses.contains(event.status()))
        && (type == null || type.equals(event.type()))
        && (receivedFrom == null || !event.receivedAt().isBefore(receivedFrom))
        && (receivedBefore == null || event.receivedAt().isBefore(receivedBefore))
        && (livemode == null || livemode.equals(event.livemode()))
        && (search == null
            || search.equals(event.eventId())
            || search.equals(event.dataObjectId()));
  }

  /** A list position: the last event of a page. Its cursor is opaque to callers. */
  record Position(Instant receivedAt, String eventId) {
    private static final String VERSION = "1";

    static Position of(EventSummary event) {
      return new Position(event.receivedAt(), event.eventId());
    }

    /** Whether an event at {@code receivedAt, eventId} comes after this position, newest first. */
    boolean isBefore(Instant otherReceivedAt, String otherEventId) {
      int byTime = otherReceivedAt.compareTo(receivedAt);
      return byTime < 0 || (byTime == 0 && otherEventId.compareTo(eventId) < 0);
    }

    String cursor() {
      String text =
          VERSION + ":" + receivedAt.getEpochSecond() + ":" + receivedAt.getNano() + ":" + eventId;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static Position fromCursor(String cursor) {
      try {
        String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        String[] parts = text.split(":", 4);
        if (parts.length != 4 || !parts[0].equals(VERSION) || parts[3].isEmpty()) {
          throw new IllegalArgumentException("not a cursor of this inbox");
        }
        return new Position(
            Instant.ofEpochSecond(Long.parseLong(parts[1]), Long.parseLong(parts[2])), parts[3]);
      } catch (IllegalArgumentException | java.time.DateTimeException e) {
        throw new IllegalArgumentException(
            "cursor: not one returned by EventPage.next() (" + e.getMessage() + ")", e);
      }
    }
  }

  /** Collects a query; not thread safe. */
  public static final class Builder {
    private final Set<InboxStatus> statuses = EnumSet.noneOf(InboxStatus.class);
    private String type;
    private Instant receivedFrom;
    private Instant receivedBefore;
    private Boolean livemode;
    private String search;
    private int limit = DEFAULT_LIMIT;
    private Position after;

    private Builder() {}

    /** Only events in one of these statuses; none given: any status. */
    public Builder statuses(InboxStatus... statuses) {
      return statuses(Set.of(statuses));
    }

    /** Only events in one of these statuses; empty: any status. */
    public Builder statuses(Set<InboxStatus> statuses) {
      this.statuses.clear();
      this.statuses.addAll(statuses);
      return this;
    }

    /** Only events of this type, or {@code null} for any. */
    public Builder type(String type) {
      this.type = blankToNull(type);
      return this;
    }

    /** Only events received at or after {@code from} and before {@code before}; either null. */
    public Builder received(Instant from, Instant before) {
      this.receivedFrom = from;
      this.receivedBefore = before;
      return this;
    }

    /** Only live-mode ({@code true}) or test-mode ({@code false}) events; {@code null}: both. */
    public Builder livemode(Boolean livemode) {
      this.livemode = livemode;
      return this;
    }

    /** Only the event with this id, or the events about the object with this id. */
    public Builder search(String id) {
      this.search = blankToNull(id);
      return this;
    }

    /** The most events on a page, 1 to {@value #MAX_LIMIT}; default {@value #DEFAULT_LIMIT}. */
    public Builder limit(int limit) {
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", was " + limit);
      }
      this.limit = limit;
      return this;
    }

    /**
     * The page after the one that returned this cursor ({@link EventPage#next()}); {@code null}:
     * the first page.
     *
     * @throws IllegalArgumentException when it is not such a cursor
     */
    public Builder after(String cursor) {
      this.after = blankToNull(cursor) == null ? null : Position.fromCursor(cursor.strip());
      return this;
    }

    /** The query. */
    public EventQuery build() {
      return new EventQuery(this);
    }

    private static String blankToNull(String value) {
      return value == null || value.isBlank() ? null : value.strip();
    }
  }

  @Override
  public String toString() {
    return "EventQuery[statuses="
        + statuses
        + ", type="
        + type
        + ", received="
        + receivedFrom
        + ".."
        + receivedBefore
        + ", livemode="
        + livemode
        + ", search="
        + search
        + ", limit="
        + limit
        + (after == null ? "" : ", after " + after.eventId())
        + "]";
  }
}
