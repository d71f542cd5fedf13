// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AdminAccessTest {

  static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(
        credentials.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsOnlyTheAdminUserWithThePassword() {
    assertThat(AdminAccess.authenticated(basic("admin:s3cr\u00e9t"), "s3cr\u00e9t")).isTrue();
    assertThat(AdminAccess.authenticated(basic("admin:s3cr\u00e9"), "s3cr\u00e9t")).isFalse();
    assertThat(AdminAccess.authenticated(basic("root:s3cr\u00e9t"), "s3cr\u00e9t")).isFalse();
    assertThat(AdminAccess.authenticated(basic("admin:s3cr\u00e9t2"), "s3cr\u00e9t")).isFalse();
    assertThat(AdminAccess.authenticated("basic " + basic("admin:pw").substring(6), "pw"))
        .isTrue();
  }

  @Test
  void refusesMissingOrMalformedHeaders() {
    assertThat(AdminAccess.authenticated(null, "pw")).isFalse();
    assertThat(AdminAccess.authenticated("Bearer abc", "pw")).isFalse();
    assertThat(AdminAccess.authenticated("Basic %%%", "pw")).isFalse();
    assertThat(AdminAccess.authenticated("Basic ", "pw")).isFalse();
  }
}
