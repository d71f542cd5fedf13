-- SPDX-License-Identifier: Apache-2.0
--
-- Upgrades the event inbox's tables from version 1 (no stripe_webhook_schema table) to version 2
-- (endpoints), in place: every row is kept, under the endpoint 'default', with its status,
-- attempts and attempt history. The result is the schema of schema.sql, beside this file.
--
-- JdbcEventInbox runs these statements at start-up, under a lock, when it finds tables of version
-- 1 (PostgreSQL: in one transaction with pg_advisory_xact_lock; H2: one instance at a time, each
-- statement safe to run again). A DBA may run them by hand instead, as the tables' owner:
--   PostgreSQL: as they are, in one transaction (BEGIN; ... COMMIT;).
--   H2: after dropping the primary keys, whose names H2 made up:
--     ALTER TABLE stripe_webhook_inbox DROP PRIMARY KEY;
--     ALTER TABLE stripe_webhook_inbox_attempt DROP PRIMARY KEY;
--
-- Instances of a library version before endpoints cannot store events in upgraded tables: their
-- deliveries are answered 503 and Stripe delivers them again. Upgrade every instance.

ALTER TABLE IF EXISTS stripe_webhook_inbox
  ADD COLUMN IF NOT EXISTS endpoint VARCHAR(64) DEFAULT 'default' NOT NULL;
ALTER TABLE IF EXISTS stripe_webhook_inbox ALTER COLUMN endpoint DROP DEFAULT;
ALTER TABLE IF EXISTS stripe_webhook_inbox DROP CONSTRAINT IF EXISTS stripe_webhook_inbox_pkey;
ALTER TABLE IF EXISTS stripe_webhook_inbox
  ADD CONSTRAINT stripe_webhook_inbox_pkey PRIMARY KEY (endpoint, event_id);

-- Tables made before the resolved status existed refuse it.
ALTER TABLE IF EXISTS stripe_webhook_inbox DROP CONSTRAINT IF EXISTS stripe_webhook_inbox_status;
ALTER TABLE IF EXISTS stripe_webhook_inbox ADD CONSTRAINT stripe_webhook_inbox_status CHECK (status
  IN ('received', 'processing', 'done', 'failed', 'dead', 'superseded', 'resolved'));

-- Every index is led by endpoint now.
DROP INDEX IF EXISTS stripe_webhook_inbox_due;
CREATE INDEX stripe_webhook_inbox_due
  ON stripe_webhook_inbox (endpoint, status, next_attempt_at);
DROP INDEX IF EXISTS stripe_webhook_inbox_object;
CREATE INDEX stripe_webhook_inbox_object
  ON stripe_webhook_inbox (endpoint, data_object_id, event_created);
DROP INDEX IF EXISTS stripe_webhook_inbox_received;
CREATE INDEX stripe_webhook_inbox_received
  ON stripe_webhook_inbox (endpoint, received_at DESC, event_id DESC);
DROP INDEX IF EXISTS stripe_webhook_inbox_status_received;
CREATE INDEX stripe_webhook_inbox_status_received
  ON stripe_webhook_inbox (endpoint, status, received_at DESC, event_id DESC);

ALTER TABLE IF EXISTS stripe_webhook_inbox_attempt
  ADD COLUMN IF NOT EXISTS endpoint VARCHAR(64) DEFAULT 'default' NOT NULL;
ALTER TABLE IF EXISTS stripe_webhook_inbox_attempt ALTER COLUMN endpoint DROP DEFAULT;
ALTER TABLE IF EXISTS stripe_webhook_inbox_attempt
  DROP CONSTRAINT IF EXISTS stripe_webhook_inbox_attempt_pkey;
ALTER TABLE IF EXISTS stripe_webhook_inbox_attempt
  ADD CONSTRAINT stripe_webhook_inbox_attempt_pkey PRIMARY KEY (endpoint, event_id, attempt);

CREATE TABLE IF NOT EXISTS stripe_webhook_schema (
  version INTEGER NOT NULL
);
DELETE FROM stripe_webhook_schema;
INSERT INTO stripe_webhook_schema (version) VALUES (2)
