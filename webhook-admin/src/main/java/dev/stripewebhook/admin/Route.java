// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import jakarta.servlet.http.HttpServletRequest;

/** Where a request goes, from its path under the servlet's mapping. */
record Route(Kind kind, String eventId, String path) {
  enum Kind {
    LIST,
    EVENT,
    REPLAY,
    RESOLVE,
    REPLAY_SELECTION,
    RECOVER,
    API_LIST,
    API_EVENT,
    API_REPLAY,
    API_RESOLVE,
    API_COUNTS,
    API_CSRF,
    API_RECOVER,
    UNKNOWN
  }

  static Route of(HttpServletRequest request) {
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    boolean api = path.startsWith("/api/");
    String rest = api ? path.substring(4) : path;
    String[] parts = rest.substring(1).split("/", -1);
    Kind kind = Kind.UNKNOWN;
    String eventId = null;
    if (parts.length == 1) {
      kind =
          switch (parts[0]) {
            case "" -> api ? Kind.UNKNOWN : Kind.LIST;
            case "events" -> api ? Kind.API_LIST : Kind.UNKNOWN;
            case "counts" -> api ? Kind.API_COUNTS : Kind.UNKNOWN;
            case "csrf" -> api ? Kind.API_CSRF : Kind.UNKNOWN;
            case "replay" -> api ? Kind.UNKNOWN : Kind.REPLAY_SELECTION;
            case "recover" -> api ? Kind.API_RECOVER : Kind.RECOVER;
            default -> Kind.UNKNOWN;
          };
    } else if (parts[0].equals("events") && !parts[1].isEmpty()) {
      eventId = parts[1];
      if (parts.length == 2) {
        kind = api ? Kind.API_EVENT : Kind.EVENT;
      } else if (parts.length == 3 && parts[2].equals("replay")) {
        kind = api ? Kind.API_REPLAY : Kind.REPLAY;
      } else if (parts.length == 3 && parts[2].equals("resolve")) {
        kind = api ? Kind.API_RESOLVE : Kind.RESOLVE;
      }
    }
    return new Route(kind, eventId, path);
  }

  /** Whether the answer is JSON. */
  boolean api() {
    return kind.name().startsWith("API_") || path.startsWith("/api/");
  }
}
