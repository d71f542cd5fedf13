// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import dev.stripewebhook.HandlingContext;
import dev.stripewebhook.VerifiedEvent;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * An inbox of one endpoint in a database table, {@code stripe_webhook_inbox} (with the attempt
 * history in {@code stripe_webhook_inbox_attempt}), through a {@link DataSource}: H2 for a single
 * embedded instance, PostgreSQL for several instances sharing one database. Several endpoints share
 * the tables: every row carries its endpoint's name, and an inbox reads and writes only its own
 * endpoint's rows.
 *
 * <p>The tables are created when absent, and tables of an older version are upgraded in place, at
 * start-up, by one instance at a time (the statements are in {@code
 * dev/stripewebhook/inbox/schema.sql} and {@code upgrade-2.sql} inside the jar, documented for
 * DBAs). A user that may not create or alter tables works with tables a DBA made current.
 *
 * <p>Concurrent deliveries are stored together: a caller that finds no commit running stores every
 * delivery waiting then (up to 64) in one transaction, and each caller returns once its own row is
 * committed (group commit; nobody waits on a timer). A new event may be stored already claimed
 * ({@link #receive(VerifiedEvent, String, String, String)}), saving the claim's transaction.
 * Otherwise claims are short committed transactions ({@code FOR UPDATE SKIP LOCKED} when workers
 * look for due events, so that instances claim disjoint events); the work then runs in a second
 * transaction that ends with the conditional "done" update, so that a handler's writes through
 * {@link HandlingContext#connection()} commit with it or not at all ({@link #processClaimed}: one
 * such transaction for several events, each in a savepoint).
 *
 * <p>Use a pooled DataSource: every call takes a connection and gives it back.
 *
 * @since 0.1
 */
public final class JdbcEventInbox implements EventInbox {
  private static final System.Logger LOG = System.getLogger(JdbcEventInbox.class.getName());

  /** The schema resource, with the SQL a DBA can run by hand. */
  public static final String SCHEMA_RESOURCE = InboxSchema.SCHEMA_RESOURCE;

  private final DataSource dataSource;
  private final InboxOptions options;
  private final String endpoint;

  /** Renews the claims this instance holds until they are finished. */
  private final LeaseKeeper leases;

  private final JdbcInboxQueries queries;

  /** Made once the tables are ready: it speaks the database's dialect, known then. */
  private volatile JdbcInboxWrites writes;

  private JdbcEventInbox(DataSource dataSource, InboxOptions options) {
    this.dataSource = dataSource;
    this.options = options;
    this.endpoint = options.endpoint();
    // Claims are held only after the tables are ready: then the write path exists.
    this.leases = new LeaseKeeper(options, (claims, until) -> writes.renew(claims, until));
    this.queries = new JdbcInboxQueries(dataSource, endpoint);
  }

  /**
   * An inbox over {@code dataSource}, creating the table now when absent. When the database cannot
   * be reached now, that is logged and tried again on first use, so that an application starts
   * while its database is briefly down (deliveries are answered 503 meanwhile).
   */
  public static JdbcEventInbox create(DataSource dataSource, InboxOptions options) {
    JdbcEventInbox inbox =
        new JdbcEventInbox(
            Objects.requireNonNull(dataSource, "dataSource == null"),
            Objects.requireNonNull(options, "options == null"));
    try {
      inbox.writes();
    } catch (InboxException e) {
      LOG.log(Level.WARNING, e.getMessage() + "; trying again on first use");
    }
    return inbox;
  }

  /** The write path, after making the tables ready (once: later calls find them so). */
  private JdbcInboxWrites writes() throws InboxException {
    JdbcInboxWrites ready = writes;
    if (ready != null) {
      return ready;
    }
    try (Connection connection = dataSource.getConnection()) {
      JdbcDialect dialect = JdbcDialect.of(connection);
      dialect.checkSettings(connection);
      InboxSchema.ensure(connection, dialect);
      ready = new JdbcInboxWrites(dataSource, options, dialect, leases);
    } catch (SQLException | RuntimeException e) {
      throw Jdbc.unavailable("create or find the table " + InboxSchema.TABLE, e);
    }
    writes = ready;
    return ready;
  }

  /** The queries, after making the tables ready. */
  private JdbcInboxQueries queries() throws InboxException {
    writes();
    return queries;
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  @Override
  public Receipt receive(VerifiedEvent event, String signatureHeader, String clientAddress)
      throws InboxException {
    Objects.requireNonNull(signatureHeader, "signatureHeader == null");
    return writes().receive(event, signatureHeader, clientAddress, null);
  }

  @Override
  public Receipt receive(
      VerifiedEvent event, String signatureHeader, String clientAddress, String owner)
      throws InboxException {
    Objects.requireNonNull(signatureHeader, "signatureHeader == null");
    Objects.requireNonNull(owner, "owner == null");
    return writes().receive(event, signatureHeader, clientAddress, owner);
  }

  @Override
  public Outcome process(String eventId, String owner, Work work) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    return writes().process(eventId, owner, work);
  }

  @Override
  public List<Outcome> processClaimed(List<String> eventIds, String owner, Work work)
      throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    return writes().processClaimed(List.copyOf(eventIds), owner, work);
  }

  @Override
  public Optional<InboxRecord> claim(String eventId, String owner) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    return writes().claim(eventId, owner);
  }

  @Override
  public Outcome finish(String eventId, String owner, Throwable failure) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    return writes().finish(eventId, owner, failure);
  }

  @Override
  public int processDue(String owner, int limit, Work work) throws InboxException {
    Objects.requireNonNull(owner, "owner == null");
    if (limit < 1) {
      return 0;
    }
    return writes().processDue(owner, limit, work);
  }

  /** What keeps this instance's claims alive; tests beat it by hand. */
  LeaseKeeper leases() {
    return leases;
  }

  @Override
  public Optional<InboxRecord> find(String eventId) throws InboxException {
    return writes().find(eventId);
  }

  @Override
  public boolean replay(String eventId) throws InboxException {
    return writes().replay(eventId);
  }

  @Override
  public boolean resolve(String eventId) throws InboxException {
    return writes().resolve(eventId);
  }

  @Override
  public int prune() throws InboxException {
    return writes().prune();
  }

  @Override
  public EventPage list(EventQuery query) throws InboxException {
    Objects.requireNonNull(query, "query == null");
    return queries().list(query);
  }

  @Override
  public Map<InboxStatus, Long> countByStatus() throws InboxException {
    return queries().countByStatus();
  }

  @Override
  public InboxBacklog backlog() throws InboxException {
    return queries().backlog();
  }

  @Override
  public List<EventSummary> aboutObject(String dataObjectId, int limit) throws InboxException {
    Objects.requireNonNull(dataObjectId, "dataObjectId == null");
    return queries().aboutObject(dataObjectId, limit);
  }

  @Override
  public List<ProcessingAttempt> attempts(String eventId) throws InboxException {
    return queries().attempts(eventId);
  }
}
