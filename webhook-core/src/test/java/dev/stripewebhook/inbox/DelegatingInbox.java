// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.VerifiedEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An inbox that forwards every call; tests override the calls they break. Receiving with an owner
 * and {@code processClaimed} keep their defaults, through {@code receive} and {@code process}, so
 * that an override of those sees every call.
 */
public class DelegatingInbox implements EventInbox {
  private final EventInbox target;

  public DelegatingInbox(EventInbox target) {
    this.target = target;
  }

  /** The inbox this one delegates to. */
  protected EventInbox target() {
    return target;
  }

  @Override
  public String endpoint() {
    return target.endpoint();
  }

  @Override
  public Receipt receive(VerifiedEvent event, String signatureHeader, String clientAddress)
      throws InboxException {
    return target.receive(event, signatureHeader, clientAddress);
  }

  @Override
  public Outcome process(String eventId, String owner, Work work) throws InboxException {
    return target.process(eventId, owner, work);
  }

  @Override
  public Optional<InboxRecord> claim(String eventId, String owner) throws InboxException {
    return target.claim(eventId, owner);
  }

  @Override
  public Outcome finish(String eventId, String owner, Throwable failure) throws InboxException {
    return target.finish(eventId, owner, failure);
  }

  @Override
  public int processDue(String owner, int limit, Work work) throws InboxException {
    return target.processDue(owner, limit, work);
  }

  @Override
  public Optional<InboxRecord> find(String eventId) throws InboxException {
    return target.find(eventId);
  }

  @Override
  public boolean replay(String eventId) throws InboxException {
    return target.replay(eventId);
  }

  @Override
  public boolean resolve(String eventId) throws InboxException {
    return target.resolve(eventId);
  }

  @Override
  public int prune() throws InboxException {
    return target.prune();
  }

  @Override
  public EventPage list(EventQuery query) throws InboxException {
    return target.list(query);
  }

  @Override
  public Map<InboxStatus, Long> countByStatus() throws InboxException {
    return target.countByStatus();
  }

  @Override
  public InboxBacklog backlog() throws InboxException {
    return target.backlog();
  }

  @Override
  public List<EventSummary> aboutObject(String dataObjectId, int limit) throws InboxException {
    return target.aboutObject(dataObjectId, limit);
  }

  @Override
  public List<ProcessingAttempt> attempts(String eventId) throws InboxException {
    return target.attempts(eventId);
  }
}
