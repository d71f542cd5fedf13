// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.inbox.DelegatingInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxBacklog;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InboxGaugesTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
  private final AtomicInteger reads = new AtomicInteger();
  private final InboxGauges gauges =
      new InboxGauges(
          new DelegatingInbox(new InMemoryEventInbox(InboxOptions.builder().clock(clock).build())) {
            @Override
            public InboxBacklog backlog() throws InboxException {
              reads.incrementAndGet();
              return super.backlog();
            }
          },
          clock);

  @Test
  void readsTheInboxOnceWhileTheClockStaysWithinTheStaleness() {
    gauges.events();
    gauges.oldestAgeSeconds();
    clock.advance(InboxGauges.MAX_STALENESS.minusMillis(1));
    gauges.events();

    assertThat(reads).hasValue(1);
  }

  @Test
  void readsTheInboxAgainOnceTheClockPassesTheStaleness() {
    gauges.events();
    clock.advance(InboxGauges.MAX_STALENESS);
    gauges.events();

    assertThat(reads).hasValue(2);
  }

  @Test
  void readsTheInboxAgainWhenTheClockIsSetBack() {
    gauges.events();
    clock.advance(Duration.ofSeconds(-30));
    gauges.events();

    assertThat(reads).hasValue(2);
  }
}
