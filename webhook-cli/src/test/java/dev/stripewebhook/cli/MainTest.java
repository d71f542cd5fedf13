// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @Test
  void anUnknownOrMissingCommandIsAUsageError() throws Exception {
    assertThat(Main.run(new String[] {"resend"}, out, out)).isEqualTo(2);
    assertThat(Main.run(new String[0], out, out)).isEqualTo(2);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("usage: stripe-webhook-cli send|recover|sync|addresses")
        .contains("unknown command 'resend'");
  }

  @Test
  void eachCommandGetsTheArgumentsAfterItsName() throws Exception {
    assertThat(Main.run(new String[] {"recover", "--verbose"}, out, out)).isEqualTo(2);
    assertThat(Main.run(new String[] {"sync", "--verbose", "x"}, out, out)).isEqualTo(2);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("usage: stripe-webhook-cli recover")
        .contains("usage: stripe-webhook-cli sync")
        .contains("unknown option --verbose");
  }
}
