// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.stripe.events.UnknownEventNotification;
import com.stripe.events.V1BillingMeterErrorReportTriggeredEventNotification;
import com.stripe.events.V2CoreEventDestinationPingEventNotification;
import com.stripe.model.v2.core.EventNotification;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StripeFixturesTest {
  private static final String SECRET = "whsec_fixtures";

  private static VerifiedEvent signedAndVerified(byte[] body) throws Exception {
    String header = SignedPayload.of(body).secret(SECRET).header();
    return SignatureVerifier.create(WebhookConfig.builder().secrets(SECRET).build())
        .verify(body, header);
  }

  @Test
  void aThinPingVerifiesAndParsesAsStripeJavasTypedNotification() throws Exception {
    VerifiedEvent event =
        signedAndVerified(StripeFixtures.thinEvent("v2.core.event_destination.ping"));

    assertThat(event.isThin()).isTrue();
    assertThat(event.id()).startsWith("evt_test_65");
    assertThat(event.type()).isEqualTo("v2.core.event_destination.ping");
    assertThat(event.livemode()).contains(false);
    EventNotification notification = event.eventNotification();
    assertThat(notification).isInstanceOf(V2CoreEventDestinationPingEventNotification.class);
    V2CoreEventDestinationPingEventNotification ping =
        (V2CoreEventDestinationPingEventNotification) notification;
    assertThat(ping.getRelatedObject().getType()).isEqualTo("v2.core.event_destination");
    assertThat(ping.getRelatedObject().getId()).startsWith("ed_test_");
    assertThat(ping.getRelatedObject().getUrl())
        .isEqualTo("/v2/core/event_destinations/" + ping.getRelatedObject().getId());
    assertThat(notification.getCreated()).isBetween(Instant.now().minusSeconds(60), Instant.now());
  }

  @Test
  void aThinMeterEventRefersToItsMeter() throws Exception {
    EventNotification notification =
        signedAndVerified(StripeFixtures.thinEvent(StripeFixtures.METER_ERROR_REPORT_TRIGGERED))
            .eventNotification();

    assertThat(notification)
        .isInstanceOfSatisfying(
            V1BillingMeterErrorReportTriggeredEventNotification.class,
            meter -> {
              assertThat(meter.getRelatedObject().getType()).isEqualTo("billing.meter");
              assertThat(meter.getRelatedObject().getUrl())
                  .isEqualTo("/v1/billing/meters/" + meter.getRelatedObject().getId());
            });
  }

  @Test
  void aHealthEventHasNoRelatedObjectAndIsUnknownToThisStripeJava() throws Exception {
    JsonObject json =
        StripeFixtures.thinEventJson(StripeFixtures.HEALTH_EVENT_GENERATION_FAILURE_RESOLVED);
    assertThat(json.has("related_object")).isFalse();
    assertThat(json.has("data")).isFalse();
    assertThat(json.has("api_version")).isFalse();

    EventNotification notification =
        signedAndVerified(StripeFixtures.toBytes(json)).eventNotification();
    assertThat(notification).isInstanceOf(UnknownEventNotification.class);
    assertThat(notification.getType())
        .isEqualTo("v2.core.health.event_generation_failure.resolved");
  }

  @Test
  void eachThinEventHasAFreshId() {
    assertThat(StripeFixtures.thinEventJson("v2.core.account.updated").get("id"))
        .isNotEqualTo(StripeFixtures.thinEventJson("v2.core.account.updated").get("id"));
  }
}
