// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * One random token per HTTP session; every POST must carry it, in the header {@value #HEADER} or as
 * the field {@value #PARAMETER} of an {@code application/x-www-form-urlencoded} body. A page of
 * another site cannot read it, so it cannot forge the console's actions with the operator's cookies
 * or Basic credentials. Never from the URL: a query string reaches access logs, proxies and {@code
 * Referer} headers, so a request whose query string names the field is refused.
 */
final class CsrfTokens {
  static final String PARAMETER = "csrf";
  static final String HEADER = "X-CSRF-Token";
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String SESSION_ATTRIBUTE = "dev.stripewebhook.admin.csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  private CsrfTokens() {}

  /** The session's token, creating the session and the token when absent. */
  static String token(HttpServletRequest request) {
    HttpSession session = request.getSession(true);
    synchronized (CsrfTokens.class) {
      Object token = session.getAttribute(SESSION_ATTRIBUTE);
      if (token instanceof String existing) {
        return existing;
      }
      byte[] bytes = new byte[32];
      RANDOM.nextBytes(bytes);
      String created = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      session.setAttribute(SESSION_ATTRIBUTE, created);
      return created;
    }
  }

  /**
   * Whether the request carries its session's token in the header, else in a form body; false
   * without a session, and whenever the query string names {@value #PARAMETER}.
   */
  static boolean valid(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null
        || !(session.getAttribute(SESSION_ATTRIBUTE) instanceof String expected)
        || inQueryString(request.getQueryString())) {
      return false;
    }
    String given = request.getHeader(HEADER);
    if (given == null && isForm(request.getContentType())) {
      // The query string has no such field (checked above), so the parameter is the body's.
      given = request.getParameter(PARAMETER);
    }
    // Constant time: the comparison must not tell how much of a guess was right.
    return given != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether a query string has a field named {@value #PARAMETER}; true when it is malformed. */
  private static boolean inQueryString(String query) {
    if (query == null) {
      return false;
    }
    for (String field : query.split("&")) {
      int equals = field.indexOf('=');
      String name = equals < 0 ? field : field.substring(0, equals);
      try {
        if (URLDecoder.decode(name, StandardCharsets.UTF_8).strip().equals(PARAMETER)) {
          return true;
        }
      } catch (IllegalArgumentException e) {
        return true;
      }
    }
    return false;
  }

  private static boolean isForm(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .strip()
        .equalsIgnoreCase(FORM);
  }
}
