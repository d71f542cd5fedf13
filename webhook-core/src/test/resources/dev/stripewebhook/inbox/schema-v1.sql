-- SPDX-License-Identifier: Apache-2.0
--
-- The event inbox of stripe-webhook-filter (dev.stripewebhook.inbox.JdbcEventInbox).
--
-- The same statements run unchanged on PostgreSQL (10 or later) and H2 (2.x, any mode).
-- JdbcEventInbox runs them at start-up (they do nothing when the objects exist), so a DBA only
-- needs this file when the application's database user may not create tables: then run it once
-- as the owner and grant the application SELECT, INSERT, UPDATE, DELETE on both tables.
--
-- One row per Stripe event id. Rows move through the status column:
--   received   stored, not yet processed
--   processing claimed by lease_owner until lease_until; after that, any owner may take it over
--   done       handlers succeeded (handled_at set); never processed again
--   failed     handlers failed; retried from next_attempt_at (exponential backoff with jitter)
--   dead       failed the configured number of attempts; kept until replayed
--   superseded skipped: a newer event about the same data_object_id was already done
--   resolved   closed by an operator after it failed or died, without running its handlers
-- Done, superseded and resolved rows are deleted after the retention period, with their attempts;
-- failed and dead rows are kept.
--
-- Upgrading a table created before the resolved status existed (its CHECK refuses 'resolved'):
--   ALTER TABLE stripe_webhook_inbox DROP CONSTRAINT stripe_webhook_inbox_status;
--   ALTER TABLE stripe_webhook_inbox ADD CONSTRAINT stripe_webhook_inbox_status CHECK (status IN
--     ('received', 'processing', 'done', 'failed', 'dead', 'superseded', 'resolved'));

CREATE TABLE IF NOT EXISTS stripe_webhook_inbox (
  event_id         VARCHAR(255)  NOT NULL PRIMARY KEY,  -- evt_...
  event_type       VARCHAR(255)  NOT NULL,              -- invoice.paid
  livemode         BOOLEAN,
  account          VARCHAR(255),                        -- Connect account, acct_...
  api_version      VARCHAR(64),
  data_object_id   VARCHAR(255),                        -- data.object.id
  event_created    TIMESTAMP WITH TIME ZONE,            -- the event's "created"
  received_at      TIMESTAMP WITH TIME ZONE NOT NULL,   -- first delivery stored
  body             BYTEA         NOT NULL,              -- exact bytes received: re-verifiable
  signature_header VARCHAR(8192) NOT NULL,              -- Stripe-Signature of the first delivery
  client_address   VARCHAR(64),
  status           VARCHAR(16)   NOT NULL,
  attempts         INTEGER       NOT NULL,
  last_error       VARCHAR(2000),
  next_attempt_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  lease_owner      VARCHAR(255),
  lease_until      TIMESTAMP WITH TIME ZONE,
  handled_at       TIMESTAMP WITH TIME ZONE,
  CONSTRAINT stripe_webhook_inbox_status CHECK (status IN
    ('received', 'processing', 'done', 'failed', 'dead', 'superseded', 'resolved'))
);

-- Workers look for due work: received or failed rows by next_attempt_at, expired leases.
CREATE INDEX IF NOT EXISTS stripe_webhook_inbox_due
  ON stripe_webhook_inbox (status, next_attempt_at);

-- The ordering guard looks for done events about the same object.
CREATE INDEX IF NOT EXISTS stripe_webhook_inbox_object
  ON stripe_webhook_inbox (data_object_id, event_created);

-- The admin console's list, newest first, pages by position (received_at, event_id) rather than
-- by OFFSET: a deep page starts with an index seek, as fast as the first one.
CREATE INDEX IF NOT EXISTS stripe_webhook_inbox_received
  ON stripe_webhook_inbox (received_at DESC, event_id DESC);

-- The same list filtered by status (failed, dead...), and the backlog of received, processing
-- and failed events with the oldest one's received_at.
CREATE INDEX IF NOT EXISTS stripe_webhook_inbox_status_received
  ON stripe_webhook_inbox (status, received_at DESC, event_id DESC);

-- One row per processing attempt, written in the transaction that changes the event's status:
-- the claim inserts it (finished_at NULL while it runs), the end of the attempt completes it.
-- attempt counts on across replays. Rows go with their event when it is pruned.
CREATE TABLE IF NOT EXISTS stripe_webhook_inbox_attempt (
  event_id    VARCHAR(255)  NOT NULL,
  attempt     INTEGER       NOT NULL,
  owner       VARCHAR(255)  NOT NULL,              -- lease_owner of the claim
  started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  finished_at TIMESTAMP WITH TIME ZONE,
  outcome     VARCHAR(16),                         -- done, failed, dead, superseded, lease_lost
  error       VARCHAR(2000),
  PRIMARY KEY (event_id, attempt)
)
