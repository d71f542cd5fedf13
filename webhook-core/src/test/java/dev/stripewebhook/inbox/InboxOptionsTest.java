// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class InboxOptionsTest {

  @Test
  void theEndpointIsDefaultUnlessNamed() {
    assertThat(InboxOptions.defaults().endpoint()).isEqualTo("default");
    assertThat(InboxOptions.builder().endpoint("connect").build().endpoint()).isEqualTo("connect");
    assertThat(InboxOptions.builder().endpoint("a".repeat(64)).build().endpoint()).hasSize(64);
    assertThat(InboxOptions.builder().endpoint("Platform_v2.live-eu").build().endpoint())
        .isEqualTo("Platform_v2.live-eu");
  }

  @Test
  void refusesAnEndpointNameThatIsEmptyTooLongOrHasOtherCharactersNamingTheKey() {
    for (String name : new String[] {"", "a".repeat(65), "two words", "connect/eu", "café"}) {
      assertThatIllegalArgumentException()
          .as(name)
          .isThrownBy(() -> InboxOptions.builder().endpoint(name))
          .withMessageStartingWith("stripe.webhook.endpoint: ");
    }
  }
}
