// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlTest {
  private static final String V1 =
      "4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150";
  private static final Pattern SHOWN_ITEM =
      Pattern.compile("t=[0-9]{1,19}|(?:[A-Za-z0-9]{1,8}|…)=…|…|… \\(\\d+ more\\)");

  @Test
  void escapesEveryCharacterThatCanOpenMarkupOrCloseAnAttribute() {
    assertThat(Html.escape("<a href=\"x\" title='y'>&</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    assertThat(Html.escape(null)).isEmpty();
  }

  @Test
  void redactedSignatureKeepsTheTimestampAndSchemeNamesButNoSignature() {
    assertThat(Html.redactSignature("t=1700000000,v1=" + V1 + ",v1=" + V1 + ",v0=abc"))
        .isEqualTo("t=1700000000, v1=…, v1=…, v0=…");
    assertThat(Html.redactSignature("garbage" + V1)).isEqualTo("…");
    assertThat(Html.redactSignature(null)).isEmpty();
  }

  @Test
  void redactedSignatureHidesAV1AfterSixtyThreeUnknownItems() {
    String shown = redacted("x=1,".repeat(63) + "t=1700000000,v1=" + V1);

    assertThat(shown).startsWith("x=…, x=…").endsWith(", … (57 more)");
  }

  @Test
  void redactedSignatureHidesUpperCaseSpacedAndSemicolonSeparatedSignatures() {
    assertThat(redacted("t=1700000000,V1=" + V1.toUpperCase(Locale.ROOT)))
        .isEqualTo("t=1700000000, V1=…");
    assertThat(redacted(" t = 1700000000 , v1 = " + V1 + " ")).isEqualTo("t=1700000000, v1=…");
    assertThat(redacted("t=1700000000;v1=" + V1)).isEqualTo("t=…");
    assertThat(redacted("t=1700000000;v1=" + V1 + ",t=1700000001")).isEqualTo("t=…, t=1700000001");
    assertThat(redacted(",,t=1700000000,,,v1=" + V1 + ",,")).isEqualTo("t=1700000000, v1=…");
  }

  @Test
  void redactedSignatureShowsATimestampOnlyWhenItIsPlainDigits() {
    assertThat(redacted("t=" + V1)).isEqualTo("t=…");
    assertThat(redacted("t=" + "1".repeat(64))).isEqualTo("t=…");
    assertThat(redacted("t=1700000000" + V1)).isEqualTo("t=…");
    assertThat(redacted("t=\u0661\u0667\u0660\u0660")).isEqualTo("t=…");
    assertThat(redacted(V1 + "=1,v1=" + V1)).isEqualTo("…=…, v1=…");
  }

  @Test
  void redactedSignatureOfTenThousandItemsOrWithoutTimestampShowsNoValue() {
    String huge = redacted(("v1=" + V1 + ",").repeat(10_000));
    assertThat(huge).startsWith("v1=…, v1=…").endsWith(", … (9992 more)");
    assertThat(redacted("v1=" + V1 + ",v0=" + V1)).isEqualTo("v1=…, v0=…");
    assertThat(redacted("v1=" + V1)).isEqualTo("v1=…");
  }

  /**
   * The redacted header, checked: short, no run of 64 hex characters, and every item a digits-only
   * timestamp, a masked value or a mask.
   */
  private static String redacted(String header) {
    String shown = Html.redactSignature(header);
    assertThat(shown)
        .hasSizeLessThan(250)
        .doesNotContainPattern("(?i)[0-9a-f]{64}")
        .doesNotContainIgnoringCase(V1.substring(0, 12))
        .doesNotContainIgnoringCase(V1.substring(V1.length() - 12));
    for (String item : shown.split(", ")) {
      assertThat(item).matches(SHOWN_ITEM);
    }
    return shown;
  }

  @Test
  void errorMessageIsTheInnermostMessage() {
    assertThat(
            Html.errorMessage(
                "dev.stripewebhook.EventHandlerException: Stripe event evt_1"
                    + " failed in handler a.B: java.lang.IllegalStateException: ledger down"))
        .isEqualTo("ledger down");
    assertThat(Html.errorMessage("plain text")).isEqualTo("plain text");
  }

  @Test
  void logTextHasNoLineBreaks() {
    assertThat(Html.forLog("/events/x\nINFO forged")).isEqualTo("/events/x\\nINFO forged");
  }

  @Test
  void timesAreUtcToTheSecond() {
    Instant at = Instant.parse("2026-11-23T18:05:09.123Z");
    assertThat(Html.time(at)).isEqualTo("2026-11-23 18:05:09Z");
    assertThat(Html.inputTime(at)).isEqualTo("2026-11-23T18:05:09");
  }
}
