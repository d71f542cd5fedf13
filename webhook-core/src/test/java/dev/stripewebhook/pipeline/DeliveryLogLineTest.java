// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The one line per delivery: its text, and its source given rather than inferred. */
class DeliveryLogLineTest {
  static final String SECRET = "whsec_delivery_log";

  @Test
  void writesOneLineWithItsSourceGivenSoThatNoCallerIsInferred() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    StripeEventHandler quiet =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("*");
          }

          @Override
          public void handle(VerifiedEvent event) {}
        };
    try (LogCapture log = LogCapture.of(WebhookEndpoint.DELIVERY_LOGGER);
        WebhookEndpoint endpoint =
            WebhookEndpoint.builder(WebhookConfig.builder().secrets(SECRET).build())
                .handlers(EventHandlers.of(quiet))
                .build()) {
      String id =
          endpoint
              .deliver(
                  TestDelivery.signed(body, SignedPayload.of(body).secret(SECRET).header()), null)
              .event()
              .orElseThrow()
              .id();
      endpoint.deliver(TestDelivery.signed(body, "t=1,v1=00"), null);

      assertThat(log.records()).hasSize(2);
      LogRecord verified = log.records().get(0);
      assertThat(verified.getMessage())
          .startsWith(id + " payment_intent.succeeded: 200 done in ")
          .endsWith(" ms from 127.0.0.1");
      assertThat(verified.getSourceClassName()).isEqualTo(WebhookEndpoint.class.getName());
      assertThat(verified.getSourceMethodName()).isEqualTo("record");
      assertThat(verified.getLoggerName()).isEqualTo(WebhookEndpoint.DELIVERY_LOGGER);
      assertThat(log.records().get(1).getMessage())
          .startsWith("rejected: 400 ")
          .contains(" ms from 127.0.0.1");
    }
  }

  @Test
  void goesStraightToJulOnlyWhenTheJdksFinderBacksTheLoggerWithIt() {
    System.Logger platform = System.getLogger(WebhookEndpoint.DELIVERY_LOGGER);
    assertThat(
            JulLine.of(platform, WebhookEndpoint.DELIVERY_LOGGER, WebhookEndpoint.class, "record"))
        .isNotNull();
    System.Logger own = new OwnLogger();
    assertThat(JulLine.of(own, WebhookEndpoint.DELIVERY_LOGGER, WebhookEndpoint.class, "record"))
        .isNull();
  }

  @Test
  void theLineIsTheSameTextAsBefore() {
    Decision rejected = Decision.refused(dev.stripewebhook.Reason.SIGNATURE_MISMATCH, "x", null);
    assertThat(
            WebhookEndpoint.deliveryLine(
                rejected, null, "203.0.113.9\n", "t=1, body 3 bytes", 12_345_678L))
        .isEqualTo(
            "rejected: 400 signature-mismatch in 12 ms from 203.0.113.9\\n (t=1, body 3 bytes)");
  }

  /** A System.Logger of an application's own LoggerFinder. */
  private static final class OwnLogger implements System.Logger {
    @Override
    public String getName() {
      return "own";
    }

    @Override
    public boolean isLoggable(Level level) {
      return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {}

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {}
  }
}
