// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import dev.stripewebhook.admin.StripeWebhookAdminServlet;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Base64;

/**
 * HTTP Basic for the example's {@code /admin/}: user {@value #USER}, the password from the
 * environment variable {@value #PASSWORD_VARIABLE} (or the system property {@value
 * #PASSWORD_PROPERTY}); with neither set, the admin console is off and answers 404. After the right
 * password it passes the request on as a container's login would leave it: user {@value #USER},
 * authenticated by Basic, in the role {@value #ROLE} that the console requires (it answers 401 to a
 * request without that user).
 *
 * <p>The example checks the password itself so that it runs unchanged on Jetty, Tomcat and WildFly
 * without a user set up in each. A real application protects the console with a {@code
 * <security-constraint>} and the container's users and roles instead.
 */
public final class AdminAccess extends HttpFilter {
  /** The one admin user: {@value}. */
  public static final String USER = "admin";

  /** The environment variable holding the admin password: {@value}. */
  public static final String PASSWORD_VARIABLE = "EXAMPLE_ADMIN_PASSWORD";

  /** The system property holding the admin password, when the environment has none: {@value}. */
  public static final String PASSWORD_PROPERTY = "example.admin-password";

  /** The role the admin user has, the one the console requires by default: {@value}. */
  public static final String ROLE = StripeWebhookAdminServlet.DEFAULT_ROLE;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String password = System.getenv(PASSWORD_VARIABLE);
    if (password == null || password.isEmpty()) {
      password = System.getProperty(PASSWORD_PROPERTY);
    }
    if (password == null || password.isEmpty()) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    if (!authenticated(request.getHeader("Authorization"), password)) {
      response.setHeader("WWW-Authenticate", "Basic realm=\"shop admin\", charset=\"UTF-8\"");
      response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
      return;
    }
    chain.doFilter(
        new HttpServletRequestWrapper(request) {
          @Override
          public String getRemoteUser() {
            return USER;
          }

          @Override
          public Principal getUserPrincipal() {
            return () -> USER;
          }

          @Override
          public boolean isUserInRole(String role) {
            return ROLE.equals(role);
          }

          @Override
          public String getAuthType() {
            return HttpServletRequest.BASIC_AUTH;
          }
        },
        response);
  }

  /** Compares the whole credentials in constant time. */
  static boolean authenticated(String authorization, String password) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getDecoder().decode(authorization.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] expected = (USER + ":" + password).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, expected);
  }
}
