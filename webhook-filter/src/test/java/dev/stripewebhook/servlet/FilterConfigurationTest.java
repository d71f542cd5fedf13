// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.RecordingHandler;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import jakarta.servlet.ServletException;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The filter configured as web.xml configures it: init-params, class names, ServiceLoader. */
class FilterConfigurationTest {

  @Test
  void readsInitParamsAndRunsHandlersByClassNameAndServiceLoader() throws Exception {
    RecordingHandler.SEEN.clear();
    try (JettyServer server =
        new JettyServer()
            .filter(
                "/hook",
                StripeWebhookFilter.class,
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    "whsec_from_init_param",
                    WebhookConfig.Keys.HANDLERS,
                    RecordingHandler.class.getName()))
            .start()) {
      WebhookSender sender = new WebhookSender(server.uri("/hook"), "whsec_from_init_param");
      HttpResponse<String> response = sender.send(StripeFixtures.event("invoice.paid"));
      assertThat(response.statusCode()).isEqualTo(200);
      // Once by class name, once through META-INF/services.
      assertThat(RecordingHandler.SEEN).hasSize(2);
    }
  }

  @Test
  void failsAtStartupWithOneLineNamingTheKey() {
    JettyServer server =
        new JettyServer()
            .filter(
                "/hook",
                StripeWebhookFilter.class,
                Map.of(WebhookConfig.Keys.SECRETS, "sk_live_abcdef"));
    try {
      assertThatThrownBy(server::start)
          .isInstanceOf(ServletException.class)
          .hasMessageContaining(
              "cannot start: stripe.webhook.secrets: secret 1 of 1 does not" + " start with whsec_")
          .hasMessageNotContaining("abcdef")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    } finally {
      try {
        server.close();
      } catch (Exception ignored) {
        // the server never started
      }
    }
  }
}
