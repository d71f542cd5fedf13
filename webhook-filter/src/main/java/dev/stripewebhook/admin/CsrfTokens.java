// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * One random token per HTTP session; every POST must carry it, as the form field {@value
 * #PARAMETER} or the header {@value #HEADER}. A page of another site cannot read it, so it cannot
 * forge the console's actions with the operator's cookies or Basic credentials.
 */
final class CsrfTokens {
  static final String PARAMETER = "csrf";
  static final String HEADER = "X-CSRF-Token";
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

  /** Whether the request carries its session's token; false without a session. */
  static boolean valid(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null || !(session.getAttribute(SESSION_ATTRIBUTE) instanceof String expected)) {
      return false;
    }
    String given = request.getHeader(HEADER);
    if (given == null) {
      given = request.getParameter(PARAMETER);
    }
    // Constant time: the comparison must not tell how much of a guess was right.
    return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        given.getBytes(StandardCharsets.UTF_8));
  }
}
