// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.TestHandlers;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.DelegatingInbox;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.EventInbox.Outcome;
import dev.stripewebhook.inbox.EventInbox.Receipt;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A door whose processing runs between {@link WebhookEndpoint#admit} and {@link
 * WebhookEndpoint#complete} (a JAX-RS resource method): its claim is renewed while held, so a door
 * that never completes must not hold the event for ever.
 */
class DoorClaimsTest {
  static final String SECRET = "whsec_door_claims";

  static Delivery delivery(byte[] body) {
    return TestDelivery.signed(body, SignedPayload.of(body).secret(SECRET).header());
  }

  /** Remembers who stored, claimed and processed events, and whether each claim was granted. */
  static final class Owners extends DelegatingInbox {
    final List<String> calls = new ArrayList<>();

    Owners(EventInbox target) {
      super(target);
    }

    @Override
    public Receipt receive(VerifiedEvent event, String header, String client, String owner)
        throws InboxException {
      calls.add("receive " + owner);
      return target().receive(event, header, client, owner);
    }

    @Override
    public Optional<InboxRecord> claim(String eventId, String owner) throws InboxException {
      Optional<InboxRecord> claimed = super.claim(eventId, owner);
      calls.add("claim " + owner + (claimed.isPresent() ? "" : " refused"));
      return claimed;
    }

    @Override
    public Outcome process(String eventId, String owner, Work work) throws InboxException {
      calls.add("process " + owner);
      return super.process(eventId, owner, work);
    }

    /** The event was stored claimed by an owner, who then called {@code verb}, and nothing else. */
    void assertStoredClaimedThen(String verb) {
      assertThat(calls).hasSize(2);
      String owner = calls.get(0).substring("receive ".length());
      assertThat(owner).isNotEqualTo("null");
      assertThat(calls.get(1)).isEqualTo(verb + " " + owner);
    }
  }

  @Test
  void admitStoresANewEventClaimedByTheDoorWhichThenTakesThatClaim() {
    Owners inbox = new Owners(new InMemoryEventInbox(InboxOptions.defaults()));
    try (WebhookEndpoint endpoint =
        WebhookEndpoint.builder(WebhookConfig.builder().secrets(SECRET).build())
            .inbox(inbox)
            .build()) {
      WebhookEndpoint.Admission admission =
          endpoint.admit(delivery(StripeFixtures.event("invoice.paid")));
      assertThat(admission.claimed()).isTrue();
      assertThat(endpoint.complete(admission, 200).status()).isEqualTo(200);
    }
    inbox.assertStoredClaimedThen("claim");
  }

  @Test
  void admitWithHandlersOfItsOwnProcessesAsTheOwnerThatStoredTheEvent() {
    Owners inbox = new Owners(new InMemoryEventInbox(InboxOptions.defaults()));
    try (WebhookEndpoint endpoint =
        WebhookEndpoint.builder(WebhookConfig.builder().secrets(SECRET).build())
            .handlers(EventHandlers.of(TestHandlers.on("*", event -> {})))
            .inbox(inbox)
            .build()) {
      endpoint.admit(delivery(StripeFixtures.event("invoice.paid")));
    }
    inbox.assertStoredClaimedThen("process");
  }

  @Test
  void aDoneMarkThatCannotBeRecordedReplacesTheDoorsTwoHundredWith503() {
    InMemoryEventInbox memory = new InMemoryEventInbox(InboxOptions.defaults());
    EventInbox failingFinish =
        new DelegatingInbox(memory) {
          @Override
          public Outcome finish(String eventId, String owner, Throwable failure)
              throws InboxException {
            throw new InboxException("database down");
          }
        };
    WebhookEndpoint endpoint =
        WebhookEndpoint.builder(WebhookConfig.builder().secrets(SECRET).build())
            .inbox(failingFinish)
            .build();
    WebhookEndpoint.Admission admission =
        endpoint.admit(delivery(StripeFixtures.event("invoice.paid")));
    assertThat(admission.claimed()).isTrue();

    Decision decision = endpoint.complete(admission, 200);
    assertThat(decision.processingAnswers()).isFalse();
    assertThat(decision.status()).isEqualTo(503);
    assertThat(decision.outcome()).isEqualTo("storage-unavailable");
    endpoint.close();
  }

  @Test
  void anInterruptLeftByTheDoorsProcessingIsClearedBeforeTheDoneMark() {
    // On an H2 file database an interrupted commit closes the whole database.
    boolean[] interruptedAtFinish = {true};
    EventInbox watching =
        new DelegatingInbox(new InMemoryEventInbox(InboxOptions.defaults())) {
          @Override
          public Outcome finish(String eventId, String owner, Throwable failure)
              throws InboxException {
            interruptedAtFinish[0] = Thread.currentThread().isInterrupted();
            return super.finish(eventId, owner, failure);
          }
        };
    WebhookEndpoint endpoint =
        WebhookEndpoint.builder(WebhookConfig.builder().secrets(SECRET).build())
            .inbox(watching)
            .build();
    WebhookEndpoint.Admission admission =
        endpoint.admit(delivery(StripeFixtures.event("invoice.paid")));
    Thread.currentThread().interrupt(); // a resource method that restored an interrupt
    Decision decision = endpoint.complete(admission, 200);
    assertThat(Thread.interrupted()).isFalse();
    assertThat(interruptedAtFinish[0]).isFalse();
    assertThat(decision.processingAnswers()).isTrue();
    endpoint.close();
  }

  @Test
  void aClaimTheDoorNeverCompletesIsFailedAfterTheLimitSoThatARedeliveryRunsIt() {
    InMemoryEventInbox inbox = new InMemoryEventInbox(InboxOptions.defaults());
    WebhookEndpoint endpoint =
        WebhookEndpoint.builder(
                WebhookConfig.builder().secrets(SECRET).inProgressWait(Duration.ZERO).build())
            .inbox(inbox)
            .doorClaimLimit(Duration.ZERO)
            .build();
    byte[] body = StripeFixtures.event("invoice.paid");
    String id =
        com.google.gson.JsonParser.parseString(
                new String(body, java.nio.charset.StandardCharsets.UTF_8))
            .getAsJsonObject()
            .get("id")
            .getAsString();

    WebhookEndpoint.Admission held = endpoint.admit(delivery(body));
    assertThat(held.claimed()).isTrue();
    WebhookEndpoint.Admission meanwhile = endpoint.admit(delivery(body));
    assertThat(meanwhile.decision())
        .hasValueSatisfying(decision -> assertThat(decision.status()).isEqualTo(409));

    endpoint.sweepDoorClaims(); // the door never called complete
    assertThat(inbox.find(id).orElseThrow().status()).isEqualTo(InboxStatus.FAILED);
    WebhookEndpoint.Admission redelivery = endpoint.admit(delivery(body));
    assertThat(redelivery.claimed()).as("the redelivery runs it").isTrue();
    assertThat(endpoint.complete(redelivery, 200).processingAnswers()).isTrue();
    assertThat(inbox.find(id).orElseThrow().status()).isEqualTo(InboxStatus.DONE);

    assertThat(endpoint.complete(held, 200).status()).as("too late: not a 2xx").isEqualTo(500);
    endpoint.close();
  }
}
