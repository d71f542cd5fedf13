// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void withoutKeysMasksApiKeysAndSecretsMaskedOrNot() {
    assertThat(
            LogText.withoutKeys(
                "Invalid API Key provided: sk_test_****abcd; also rk_live_51Hx0aBc and whsec_x_1"))
        .isEqualTo("Invalid API Key provided: (key); also (key) and (key)");
    assertThat(LogText.withoutKeys("No such event: 'evt_1'\n"))
        .isEqualTo("No such event: 'evt_1'\\n");
    assertThat(LogText.withoutKeys(null)).isEqualTo("null");
  }
}
