// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a door writes: the same bytes by {@link Decision#writeBody} as by {@link Decision#body}. */
class DecisionTest {
  @Test
  void writesTheBodyItGivesAndItsLength() throws Exception {
    for (Decision decision :
        new Decision[] {
          Decision.accepted(null, "done"),
          Decision.refusal(Reason.BODY_TOO_LARGE, "The body is over the limit of 10 bytes.")
        }) {
      ByteArrayOutputStream written = new ByteArrayOutputStream();
      decision.writeBody(written);
      assertThat(written.toByteArray()).isEqualTo(decision.body());
      assertThat(decision.bodyLength()).isEqualTo(decision.body().length);
    }
    assertThat(new String(Decision.accepted(null, "done").body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"received\":true}");
  }

  @Test
  void aCallerChangingTheBodyItGotChangesNoLaterAnswer() {
    Decision.accepted(null, "done").body()[0] = 'x';
    assertThat(Decision.accepted(null, "done").body()[0]).isEqualTo((byte) '{');
  }
}
