// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static dev.stripewebhook.Reason.ACCOUNT_NOT_ALLOWED;
import static dev.stripewebhook.Reason.LIVEMODE_NOT_ACCEPTED;
import static dev.stripewebhook.Reason.MODE_MISMATCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import dev.stripewebhook.WebhookConfig.Livemode;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModeAndAccountRulesTest {
  static final String TEST_SECRET = "whsec_test_mode";
  static final String LIVE_SECRET = "whsec_live_mode";

  static byte[] event(boolean live, String account) {
    JsonObject json = StripeFixtures.eventJson("invoice.paid");
    json.addProperty("livemode", live);
    if (account != null) {
      json.addProperty("account", account);
    }
    return StripeFixtures.toBytes(json);
  }

  static Reason reason(WebhookConfig config, byte[] body, String secret) {
    try {
      SignatureVerifier.create(config).verify(body, SignedPayload.of(body).secret(secret).header());
      return null;
    } catch (WebhookVerificationException e) {
      return e.reason();
    }
  }

  final WebhookConfig modeBound =
      WebhookConfig.builder()
          .testSecrets(List.of(TEST_SECRET))
          .liveSecrets(List.of(LIVE_SECRET))
          .build();

  @Test
  void aModeBoundSecretAcceptsOnlyEventsOfItsMode() {
    assertThat(reason(modeBound, event(false, null), TEST_SECRET)).isNull();
    assertThat(reason(modeBound, event(true, null), LIVE_SECRET)).isNull();
    assertThat(reason(modeBound, event(true, null), TEST_SECRET)).isEqualTo(MODE_MISMATCH);
    assertThat(reason(modeBound, event(false, null), LIVE_SECRET)).isEqualTo(MODE_MISMATCH);
  }

  @Test
  void anUnboundSecretAcceptsBothModes() {
    WebhookConfig unbound = WebhookConfig.builder().secrets("whsec_any").build();
    assertThat(reason(unbound, event(true, null), "whsec_any")).isNull();
    assertThat(reason(unbound, event(false, null), "whsec_any")).isNull();
  }

  @Test
  void aStagingServerRefusesLiveEvents() {
    WebhookConfig staging =
        WebhookConfig.builder().secrets("whsec_any").livemode(Livemode.TEST).build();
    assertThat(reason(staging, event(false, null), "whsec_any")).isNull();
    assertThat(reason(staging, event(true, null), "whsec_any")).isEqualTo(LIVEMODE_NOT_ACCEPTED);
    WebhookConfig production =
        WebhookConfig.builder().secrets("whsec_any").livemode(Livemode.LIVE).build();
    assertThat(reason(production, event(false, null), "whsec_any"))
        .isEqualTo(LIVEMODE_NOT_ACCEPTED);
  }

  @Test
  void theAccountAllowListRefusesOtherAndPlatformEvents() {
    WebhookConfig connect =
        WebhookConfig.builder().secrets("whsec_c").accounts(List.of("acct_1", "acct_2")).build();
    assertThat(reason(connect, event(false, "acct_2"), "whsec_c")).isNull();
    assertThat(reason(connect, event(false, "acct_3"), "whsec_c")).isEqualTo(ACCOUNT_NOT_ALLOWED);
    assertThat(reason(connect, event(false, null), "whsec_c")).isEqualTo(ACCOUNT_NOT_ALLOWED);
  }

  @Test
  void misconfiguredModesFailAtStartup() {
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    Map.of(
                            "STRIPE_WEBHOOK_SECRET_LIVE",
                            "whsec_live",
                            WebhookConfig.Keys.LIVEMODE,
                            "test")
                        ::get))
        .hasMessageStartingWith(
            "stripe.webhook.secrets.live: live-mode secrets are configured,"
                + " but stripe.webhook.livemode is test");
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.LIVEMODE,
                            "prod")
                        ::get))
        .hasMessage("stripe.webhook.livemode: 'prod' is not test, live or any");
    assertThatThrownBy(
            () ->
                WebhookConfig.fromSources(
                    Map.of(
                            WebhookConfig.Keys.SECRETS,
                            "whsec_a",
                            WebhookConfig.Keys.ACCOUNTS,
                            "cus_1")
                        ::get))
        .hasMessageStartingWith("stripe.webhook.accounts: 'cus_1' is not a connected account");
    assertThatThrownBy(
            () -> WebhookConfig.fromSources(Map.of("STRIPE_WEBHOOK_SECRET_TEST", "sk_test_x")::get))
        .hasMessageStartingWith("stripe.webhook.secrets.test: secret 1 of 1");
  }
}
