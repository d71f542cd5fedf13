// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.VerifiedEvent;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class InMemoryEventInboxTest extends EventInboxContract {

  @Override
  EventInbox newInbox(InboxOptions options) {
    return new InMemoryEventInbox(options);
  }

  @Override
  DataSource dataSource() {
    return null;
  }

  @Test
  void whenFullForgetsTheOldestDoneEventFirst() throws Exception {
    inbox = newInbox(options().capacity(2).build());
    VerifiedEvent first = received(inbox);
    VerifiedEvent second = received(inbox);
    inbox.process(first.id(), "a", counting());

    VerifiedEvent third = received(inbox);

    assertThat(inbox.find(first.id())).isEmpty();
    assertThat(inbox.find(second.id())).isPresent();
    assertThat(inbox.find(third.id())).isPresent();
  }

  @Test
  void whenFullOfUnfinishedEventsRefusesANewOneRatherThanDropOne() throws Exception {
    inbox = newInbox(options().capacity(2).build());
    received(inbox);
    received(inbox);
    VerifiedEvent refused = TestEvents.event("invoice.paid");

    assertThatThrownBy(() -> inbox.receive(refused, TestEvents.header(refused), null))
        .isInstanceOf(InboxException.class).hasMessageContaining("full");
    assertThat(inbox.find(refused.id())).isEmpty();
  }
}
