// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.recovery;

import dev.stripewebhook.EventHandlerException;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.SignatureVerifier;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InboxException;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.StoredEventProcessor;
import java.lang.System.Logger.Level;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The command line's processor, outside any web application: the handlers run on stored events
 * after their bytes verify again, as the filter's workers run them.
 */
final class LocalProcessor implements StoredEventProcessor {
  private static final System.Logger LOG = System.getLogger(EventRecovery.class.getName());

  private final EventInbox inbox;
  private final EventHandlers handlers;
  private final SignatureVerifier verifier;
  // Visible as the inbox's lease owner: which process holds an event, nothing secret.
  private final String owner = "recovery-pid" + ProcessHandle.current().pid() + "-"
      + UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong claims = new AtomicLong();

  LocalProcessor(EventInbox inbox, EventHandlers handlers, WebhookConfig config) {
    this.inbox = inbox;
    this.handlers = handlers;
    this.verifier = SignatureVerifier.create(config);
  }

  @Override
  public EventInbox inbox() {
    return inbox;
  }

  @Override
  public EventInbox.Outcome process(String eventId) throws InboxException {
    return inbox.process(eventId, owner + "-" + claims.incrementAndGet(), this::handle);
  }

  @Override
  public boolean processesDueEvents() {
    return false;
  }

  private void handle(InboxRecord record, HandlingContext context) throws Exception {
    try {
      handlers.dispatch(record.verifyAgain(verifier), context);
    } catch (EventHandlerException e) {
      LOG.log(Level.ERROR, e.getMessage());
      throw e;
    }
  }
}
