// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import org.junit.jupiter.api.Test;

class InboxRecordTest {

  @Test
  void aStoredDeliveryVerifiesAgainOnlyWithTheSecretItWasSignedWith() throws Exception {
    InMemoryEventInbox inbox = new InMemoryEventInbox(InboxOptions.defaults());
    VerifiedEvent event = TestEvents.event("invoice.paid");
    inbox.receive(event, TestEvents.header(event), null);
    InboxRecord record = inbox.find(event.id()).orElseThrow();

    VerifiedEvent again =
        record.verifyAgain(
            SignatureVerifier.create(WebhookConfig.builder().secrets(TestEvents.SECRET).build()));
    assertThat(again.id()).isEqualTo(event.id());

    assertThatThrownBy(
            () ->
                record.verifyAgain(
                    SignatureVerifier.create(
                        WebhookConfig.builder().secrets("whsec_rotated_away").build())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Stored event "
                + event.id()
                + " no longer verifies (signature-mismatch):"
                + " was the secret it was signed with removed?");
  }
}
