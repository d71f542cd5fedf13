// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class HtmlTest {

  @Test
  void escapesEveryCharacterThatCanOpenMarkupOrCloseAnAttribute() {
    assertThat(Html.escape("<a href=\"x\" title='y'>&</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    assertThat(Html.escape(null)).isEmpty();
  }

  @Test
  void redactedSignatureKeepsTheTimestampAndSchemeNamesButNoSignature() {
    String v1 = "4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150";
    assertThat(Html.redactSignature("t=1700000000,v1=" + v1 + ",v1=" + v1 + ",v0=abc"))
        .isEqualTo("t=1700000000, v1=…, v1=…, v0=…");
    assertThat(Html.redactSignature("garbage" + v1)).doesNotContain(v1.substring(16));
  }

  @Test
  void errorMessageIsTheInnermostMessage() {
    assertThat(Html.errorMessage("dev.stripewebhook.EventHandlerException: Stripe event evt_1"
        + " failed in handler a.B: java.lang.IllegalStateException: ledger down"))
        .isEqualTo("ledger down");
    assertThat(Html.errorMessage("plain text")).isEqualTo("plain text");
  }

  @Test
  void logTextHasNoLineBreaks() {
    assertThat(Html.forLog("/events/x\nINFO forged")).isEqualTo("/events/x?INFO forged");
  }

  @Test
  void timesAreUtcToTheSecond() {
    Instant at = Instant.parse("2026-11-23T18:05:09.123Z");
    assertThat(Html.time(at)).isEqualTo("2026-11-23 18:05:09Z");
    assertThat(Html.inputTime(at)).isEqualTo("2026-11-23T18:05:09");
  }
}
