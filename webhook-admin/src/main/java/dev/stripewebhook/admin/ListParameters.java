// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import dev.stripewebhook.inbox.EventQuery;
import dev.stripewebhook.inbox.InboxStatus;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The list filters as request parameters, shared by the pages and the JSON API: {@code status}
 * (repeatable or comma separated), {@code type}, {@code from} and {@code to} (UTC, {@code
 * 2026-11-23T18:00} or an ISO instant), {@code mode} ({@code live} or {@code test}), {@code q}
 * (event id or data object id), {@code after} (cursor) and {@code limit}.
 *
 * <p>Times, given or inside a cursor, must lie from {@link #EARLIEST} to {@link #LATEST}: the SQL
 * standard's TIMESTAMP range, which the inbox's databases store. Outside it the parameter is
 * refused here (400) instead of failing in the inbox or its database.
 */
record ListParameters(
    Set<InboxStatus> statuses,
    String type,
    Instant from,
    Instant to,
    Boolean livemode,
    String search,
    String after,
    int limit) {
  /** The earliest time a filter or cursor may hold: 0001-01-01T00:00:00Z. */
  static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  /** The latest time a filter or cursor may hold: 9999-12-31T23:59:59Z. */
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private static final String RANGE = "0001-01-01T00:00 to 9999-12-31T23:59:59 (UTC)";
  // EventQuery's cursor: base64url of "1:epochSecond:nano:eventId". Only its time is read here.
  private static final String CURSOR_VERSION = "1";

  /** The filters of {@code request}; IllegalArgumentException naming a malformed parameter. */
  static ListParameters of(HttpServletRequest request) {
    Set<InboxStatus> statuses = EnumSet.noneOf(InboxStatus.class);
    String[] values = request.getParameterValues("status");
    if (values != null) {
      for (String value : values) {
        for (String code : value.split(",")) {
          if (!code.isBlank()) {
            try {
              statuses.add(InboxStatus.fromCode(code.strip().toLowerCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("status: unknown status '" + code + "'");
            }
          }
        }
      }
    }
    String mode = blankToNull(request.getParameter("mode"));
    Boolean livemode =
        mode == null
            ? null
            : switch (mode) {
              case "live" -> Boolean.TRUE;
              case "test" -> Boolean.FALSE;
              default ->
                  throw new IllegalArgumentException("mode: live or test, was '" + mode + "'");
            };
    String limit = blankToNull(request.getParameter("limit"));
    int size = EventQuery.DEFAULT_LIMIT;
    if (limit != null) {
      try {
        size = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("limit: a number, was '" + limit + "'");
      }
      if (size < 1 || size > EventQuery.MAX_LIMIT) {
        throw new IllegalArgumentException("limit: 1 to " + EventQuery.MAX_LIMIT);
      }
    }
    return new ListParameters(
        statuses,
        blankToNull(request.getParameter("type")),
        time(request, "from"),
        time(request, "to"),
        livemode,
        blankToNull(request.getParameter("q")),
        cursor(blankToNull(request.getParameter("after"))),
        size);
  }

  /** The query of this page. */
  EventQuery query() {
    return query(statuses, after);
  }

  /** The query with other statuses and position, the same other filters. */
  EventQuery query(Set<InboxStatus> wanted, String cursor) {
    return EventQuery.builder()
        .statuses(wanted)
        .type(type)
        .received(from, to)
        .livemode(livemode)
        .search(search)
        .limit(limit)
        .after(cursor)
        .build();
  }

  /** These filters as a query string (no cursor), for links; starts with {@code ?} or empty. */
  String queryString() {
    StringBuilder query = new StringBuilder();
    for (InboxStatus status : statuses) {
      append(query, "status", status.code());
    }
    append(query, "type", type);
    append(query, "from", from == null ? null : Html.inputTime(from));
    append(query, "to", to == null ? null : Html.inputTime(to));
    append(query, "mode", livemode == null ? null : livemode ? "live" : "test");
    append(query, "q", search);
    if (limit != EventQuery.DEFAULT_LIMIT) {
      append(query, "limit", Integer.toString(limit));
    }
    return query.toString();
  }

  private static void append(StringBuilder query, String name, String value) {
    if (value != null) {
      query
          .append(query.length() == 0 ? '?' : '&')
          .append(name)
          .append('=')
          .append(Html.url(value));
    }
  }

  /**
   * The time in parameter {@code name}, or null when absent; IllegalArgumentException naming the
   * parameter when it is not a time, or not one from {@link #EARLIEST} to {@link #LATEST}.
   */
  static Instant time(HttpServletRequest request, String name) {
    String value = blankToNull(request.getParameter(name));
    if (value == null) {
      return null;
    }
    Instant time;
    try {
      time =
          value.endsWith("Z") || value.contains("+")
              ? Instant.parse(value)
              : LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      // Not only DateTimeParseException: a well-formed year beyond Instant's range fails later.
      throw new IllegalArgumentException(
          name + ": a UTC time such as 2026-11-23T18:00, was '" + Html.shorten(value, 40) + "'");
    }
    if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
      throw new IllegalArgumentException(
          name + ": a time from " + RANGE + ", was '" + Html.shorten(value, 40) + "'");
    }
    return time;
  }

  /**
   * The cursor, or IllegalArgumentException when the time in it is outside {@link #EARLIEST} to
   * {@link #LATEST}: no list page hands out such a cursor, and a database cannot compare with it.
   * Only that time is checked; EventQuery judges the rest, and a cursor this cannot read.
   */
  static String cursor(String value) {
    if (value == null) {
      return null;
    }
    String[] parts;
    try {
      parts =
          new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split(":", 4);
    } catch (IllegalArgumentException e) {
      return value;
    }
    if (parts.length != 4 || !parts[0].equals(CURSOR_VERSION)) {
      return value;
    }
    Instant time;
    try {
      time = Instant.ofEpochSecond(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    } catch (NumberFormatException e) {
      return value;
    } catch (DateTimeException | ArithmeticException e) {
      time = null;
    }
    if (time == null || time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
      throw new IllegalArgumentException(
          "after: not a cursor of this list: its time is outside "
              + RANGE
              + "; use a page's next link, or \"next\" of the JSON list");
    }
    return value;
  }

  static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
