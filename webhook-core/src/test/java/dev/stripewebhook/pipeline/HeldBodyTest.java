// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.TestHandlers;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The body is held once: nothing a handler does to what it got reaches the next reader. */
class HeldBodyTest {
  static final String SECRET = "whsec_held_body";

  @Test
  void aHandlerWritingIntoWhatItGotChangesNothingTheNextHandlerOrTheInboxSees() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    byte[] original = body.clone();
    InMemoryEventInbox inbox = new InMemoryEventInbox(InboxOptions.defaults());
    List<Throwable> failures = new ArrayList<>();
    List<byte[]> seenNext = new ArrayList<>();
    List<byte[]> stored = new ArrayList<>();
    StripeEventHandler vandal =
        TestHandlers.on(
            "*",
            event -> {
              Arrays.fill(event.body(), (byte) 'x');
              try {
                event.bodyBuffer().put(0, (byte) 'x');
              } catch (ReadOnlyBufferException e) {
                failures.add(e);
              }
            });
    StripeEventHandler next =
        TestHandlers.on(
            "*",
            event -> {
              seenNext.add(event.body());
              try {
                seenNext.add(event.bodyStream().readAllBytes());
                stored.add(inbox.find(event.id()).orElseThrow().body());
              } catch (Exception e) {
                throw new AssertionError(e);
              }
              assertThat(event.bodyAsString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                  .isEqualTo(original);
            });
    try (WebhookEndpoint endpoint =
        WebhookEndpoint.builder(WebhookConfig.builder().secrets(SECRET).build())
            .handlers(EventHandlers.of(vandal, next))
            .inbox(inbox)
            .build()) {
      Decision decision =
          endpoint.deliver(
              TestDelivery.signed(body, SignedPayload.of(body).secret(SECRET).header()), null);

      assertThat(decision.status()).isEqualTo(200);
      assertThat(failures).singleElement().isInstanceOf(ReadOnlyBufferException.class);
      assertThat(seenNext).hasSize(2).allSatisfy(bytes -> assertThat(bytes).isEqualTo(original));
      assertThat(stored).singleElement().isEqualTo(original);
      assertThat(decision.event().orElseThrow().body()).isEqualTo(original);
    }
  }

  @Test
  void theDeliveredBytesAreReadIntoTheLibrarysOwnArray() throws Exception {
    byte[] body = StripeFixtures.event("payment_intent.succeeded");
    byte[] original = body.clone();
    try (WebhookEndpoint endpoint =
        WebhookEndpoint.builder(WebhookConfig.builder().secrets(SECRET).build())
            .handlers(EventHandlers.of(TestHandlers.on("*", event -> {})))
            .build()) {
      VerifiedEvent event =
          endpoint
              .deliver(
                  TestDelivery.signed(body, SignedPayload.of(body).secret(SECRET).header()), null)
              .event()
              .orElseThrow();
      Arrays.fill(body, (byte) 'x'); // the container reuses its buffer

      assertThat(event.body()).isEqualTo(original);
      assertThat(event.bodyLength()).isEqualTo(original.length);
    }
  }

  @Test
  void bodyGivesANewCopyOnEveryCallAndTheViewsCannotWrite() throws Exception {
    byte[] body = StripeFixtures.event("customer.created");
    VerifiedEvent event =
        dev.stripewebhook.SignatureVerifier.create(WebhookConfig.builder().secrets(SECRET).build())
            .verify(body, SignedPayload.of(body).secret(SECRET).header());

    assertThat(event.body()).isNotSameAs(event.body()).isEqualTo(body);
    assertThat(event.bodyBuffer().isReadOnly()).isTrue();
    assertThatThrownBy(() -> event.bodyBuffer().array())
        .isInstanceOf(ReadOnlyBufferException.class);
    assertThat(event.bodyStream().readAllBytes()).isEqualTo(body);
  }
}
