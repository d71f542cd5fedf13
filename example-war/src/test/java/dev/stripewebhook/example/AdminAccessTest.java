// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.admin.StripeWebhookAdminServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AdminAccessTest {

  static String basic(String credentials) {
    return "Basic "
        + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsOnlyTheAdminUserWithThePassword() {
    assertThat(AdminAccess.authenticated(basic("admin:s3cr\u00e9t"), "s3cr\u00e9t")).isTrue();
    assertThat(AdminAccess.authenticated(basic("admin:s3cr\u00e9"), "s3cr\u00e9t")).isFalse();
    assertThat(AdminAccess.authenticated(basic("root:s3cr\u00e9t"), "s3cr\u00e9t")).isFalse();
    assertThat(AdminAccess.authenticated(basic("admin:s3cr\u00e9t2"), "s3cr\u00e9t")).isFalse();
    assertThat(AdminAccess.authenticated("basic " + basic("admin:pw").substring(6), "pw")).isTrue();
  }

  @Test
  void withoutAPasswordTheConsoleIsNotFoundAndWithOneItAsksForIt() throws Exception {
    String before = System.getProperty(AdminAccess.PASSWORD_PROPERTY);
    try {
      System.clearProperty(AdminAccess.PASSWORD_PROPERTY);
      org.junit.jupiter.api.Assumptions.assumeTrue(
          System.getenv(AdminAccess.PASSWORD_VARIABLE) == null);
      assertThat(answer(null)).isEqualTo("404 chain=false user=null");

      System.setProperty(AdminAccess.PASSWORD_PROPERTY, "pw");
      assertThat(answer(null)).isEqualTo("401 chain=false user=null");
      assertThat(answer(basic("admin:nope"))).isEqualTo("401 chain=false user=null");
      assertThat(answer(basic("admin:pw")))
          .isEqualTo("0 chain=true user=admin principal=admin inRole=true auth=BASIC");
    } finally {
      if (before == null) {
        System.clearProperty(AdminAccess.PASSWORD_PROPERTY);
      } else {
        System.setProperty(AdminAccess.PASSWORD_PROPERTY, before);
      }
    }
  }

  /**
   * Runs the filter on a request with this Authorization header: status, chain, and the user as the
   * console sees it (name, principal, in its default role, authentication type).
   */
  static String answer(String authorization) throws Exception {
    int[] status = {0};
    String[] user = {null};
    boolean[] chained = {false};
    HttpServletRequest request =
        proxy(
            HttpServletRequest.class,
            (method, args) ->
                method.equals("getHeader") && "Authorization".equals(args[0])
                    ? authorization
                    : null);
    HttpServletResponse response =
        proxy(
            HttpServletResponse.class,
            (method, args) -> {
              if (method.equals("sendError")) {
                status[0] = (Integer) args[0];
              }
              return null;
            });
    new AdminAccess()
        .doFilter(
            request,
            response,
            (req, res) -> {
              chained[0] = true;
              HttpServletRequest passed = (HttpServletRequest) req;
              user[0] =
                  passed.getRemoteUser()
                      + " principal="
                      + passed.getUserPrincipal().getName()
                      + " inRole="
                      + passed.isUserInRole(StripeWebhookAdminServlet.DEFAULT_ROLE)
                      + " auth="
                      + passed.getAuthType();
            });
    return status[0] + " chain=" + chained[0] + " user=" + user[0];
  }

  interface Answer {
    Object of(String method, Object[] args);
  }

  @SuppressWarnings("unchecked")
  static <T> T proxy(Class<T> type, Answer answer) {
    return (T)
        java.lang.reflect.Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (self, method, args) -> answer.of(method.getName(), args));
  }

  @Test
  void refusesMissingOrMalformedHeaders() {
    assertThat(AdminAccess.authenticated(null, "pw")).isFalse();
    assertThat(AdminAccess.authenticated("Bearer abc", "pw")).isFalse();
    assertThat(AdminAccess.authenticated("Basic %%%", "pw")).isFalse();
    assertThat(AdminAccess.authenticated("Basic ", "pw")).isFalse();
  }
}
