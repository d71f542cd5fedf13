// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogCapture;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The workers' side of the pipeline: stored events verified again before they are handled. */
class StoredEventsTest {
  static final String SECRET = "whsec_stored_events";

  @Test
  void aStoredEventThatNoLongerVerifiesFailsItsAttemptAndSaysSoInTheLog() throws Exception {
    InMemoryEventInbox inbox = new InMemoryEventInbox(InboxOptions.builder().attempts(1).build());
    // Stored by another endpoint's secret, as when two endpoints shared their rows.
    byte[] body = StripeFixtures.event("invoice.paid");
    String header = SignedPayload.of(body).secret("whsec_someone_else").header();
    VerifiedEvent foreign =
        SignatureVerifier.create(WebhookConfig.builder().secrets("whsec_someone_else").build())
            .verify(body, header);
    inbox.receive(foreign, header, "127.0.0.1");

    LogCapture log = LogCapture.of(WebhookEndpoint.class);
    StripeEventHandler never =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("*");
          }

          @Override
          public void handle(VerifiedEvent event) {
            throw new AssertionError("ran on an event that does not verify");
          }
        };
    try (log;
        WebhookEndpoint endpoint =
            WebhookEndpoint.builder(
                    WebhookConfig.builder()
                        .secrets(SECRET)
                        .processing(WebhookConfig.Processing.ASYNC)
                        .build())
                .handlers(EventHandlers.of(never))
                .inbox(inbox)
                .build()) {
      endpoint.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (inbox.find(foreign.id()).orElseThrow().status() != InboxStatus.DEAD) {
        assertThat(System.nanoTime() - deadline).as("dead in time").isNegative();
        Thread.sleep(20);
      }
    }
    assertThat(log.lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("SEVERE ")
                    .contains(foreign.id())
                    .contains("no longer verifies (signature-mismatch)"));
  }
}
