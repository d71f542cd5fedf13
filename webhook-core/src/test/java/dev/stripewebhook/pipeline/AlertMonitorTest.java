// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.WebhookAlert;
import dev.stripewebhook.WebhookAlert.Kind;
import dev.stripewebhook.WebhookAlertListener;
import dev.stripewebhook.WebhookConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertMonitorTest {
  /** A clock the test moves. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-11-23T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }
  }

  final ManualClock clock = new ManualClock();
  final List<WebhookAlert> raised = new ArrayList<>();

  @Test
  void raisesSilenceOncePerEpisode() {
    AlertMonitor monitor = new AlertMonitor(clock, Duration.ofMinutes(60), 0, null, raised::add);
    clock.advance(Duration.ofMinutes(59));
    monitor.check();
    assertThat(raised).isEmpty();
    clock.advance(Duration.ofMinutes(2));
    monitor.check();
    monitor.check();
    assertThat(raised)
        .singleElement()
        .satisfies(
            alert -> {
              assertThat(alert.kind()).isEqualTo(Kind.SILENCE);
              assertThat(alert.message()).contains("61 minutes");
            });
    monitor.verified();
    clock.advance(Duration.ofMinutes(61));
    monitor.check();
    assertThat(raised).hasSize(2);
  }

  @Test
  void raisesFailuresOverTheLimitWithinTheWindowOnly() {
    AlertMonitor monitor = new AlertMonitor(clock, null, 3, Duration.ofMinutes(5), raised::add);
    for (int i = 0; i < 3; i++) {
      monitor.rejected();
      clock.advance(Duration.ofMinutes(2)); // spread out: never more than 3 within 5 minutes
    }
    monitor.rejected();
    assertThat(raised).isEmpty();
    monitor.rejected();
    monitor.rejected();
    monitor.rejected();
    assertThat(raised)
        .singleElement()
        .satisfies(alert -> assertThat(alert.kind()).isEqualTo(Kind.VERIFICATION_FAILURES));
    monitor.rejected();
    assertThat(raised).hasSize(1); // once per episode
    clock.advance(Duration.ofMinutes(6));
    monitor.check(); // under the limit again
    for (int i = 0; i < 4; i++) {
      monitor.rejected();
    }
    assertThat(raised).hasSize(2);
  }

  @Test
  void staysQuietWhenOff() {
    AlertMonitor monitor = new AlertMonitor(clock, null, 0, null, raised::add);
    monitor.rejected();
    clock.advance(Duration.ofDays(2));
    monitor.check();
    assertThat(raised).isEmpty();
  }

  @Test
  void raisesAStripeHealthAlertOncePerEventWithItsTypeAndId() {
    AlertMonitor monitor = new AlertMonitor(clock, null, 0, null, raised::add);
    monitor.stripeHealth("v2.core.health.api_error.firing", "evt_test_65health1");
    monitor.stripeHealth("v2.core.health.api_error.firing", "evt_test_65health1"); // a retry
    assertThat(raised)
        .singleElement()
        .satisfies(
            alert -> {
              assertThat(alert.kind()).isEqualTo(Kind.STRIPE_HEALTH);
              assertThat(alert.eventType()).isEqualTo("v2.core.health.api_error.firing");
              assertThat(alert.eventId()).isEqualTo("evt_test_65health1");
              assertThat(alert.message())
                  .contains("v2.core.health.api_error.firing")
                  .contains("evt_test_65health1");
            });
    monitor.stripeHealth("v2.core.health.api_error.resolved", "evt_test_65health2");
    assertThat(raised).hasSize(2);
  }

  @Test
  void aListenerOrObserverThatThrowsEvenAnErrorDoesNotEscapeTheAlert() {
    WebhookAlertListener throwing =
        alert -> {
          throw new AssertionError("listener broken");
        };
    List<Object> observed = new ArrayList<>();
    AlertMonitor monitor =
        AlertMonitor.create(
            WebhookConfig.builder().secrets("whsec_alerts").clock(clock).build(),
            List.of(throwing, throwing),
            Optional.of(
                alert -> {
                  observed.add(alert);
                  throw new IllegalStateException("observer broken");
                }));

    monitor.stripeHealth("v2.core.health.api_error.firing", "evt_test_65health3");

    assertThat(observed).hasSize(1); // reached after both listeners failed
  }
}
