// SPDX-License-Identifier: Apache-2.0
/**
 * The event inbox: every verified event is recorded by its id before it is handled, so that it is
 * handled once and never lost. {@link dev.stripewebhook.inbox.EventInbox} states the rules; {@link
 * dev.stripewebhook.inbox.InMemoryEventInbox} keeps events in memory (one instance, no durability),
 * {@link dev.stripewebhook.inbox.JdbcEventInbox} in a database table (H2 or PostgreSQL; several
 * instances may share one PostgreSQL). Each inbox serves one named endpoint ({@link
 * dev.stripewebhook.inbox.InboxOptions#endpoint()}): several endpoints share the tables, each
 * seeing only its own events.
 *
 * <pre>{@code
 * EventInbox inbox = JdbcEventInbox.create(dataSource, InboxOptions.defaults());
 * if (inbox.receive(event, signatureHeader, clientAddress) != EventInbox.Receipt.DONE) {
 *   inbox.process(event.id(), owner, (record, context) -> handlers.dispatch(event, context));
 * }
 * }</pre>
 */
package dev.stripewebhook.inbox;
