-- SPDX-License-Identifier: Apache-2.0
-- The example shop's tables, beside the library's stripe_webhook_inbox in the same database.
-- Written by the CDI observers in ShopEvents, in the transaction that marks the event done.
CREATE TABLE IF NOT EXISTS shop_order (
  id       VARCHAR(255) NOT NULL PRIMARY KEY,
  status   VARCHAR(32)  NOT NULL
);
-- The Stripe events applied to each order, in the order they were applied.
CREATE TABLE IF NOT EXISTS shop_order_event (
  order_id VARCHAR(255) NOT NULL,
  position INTEGER      NOT NULL,
  event_id VARCHAR(255) NOT NULL,
  PRIMARY KEY (order_id, position)
);
CREATE TABLE IF NOT EXISTS shop_subscription (
  id       VARCHAR(255) NOT NULL PRIMARY KEY,
  status   VARCHAR(32)  NOT NULL,
  customer VARCHAR(255),
  as_of    TIMESTAMP WITH TIME ZONE NOT NULL
);
