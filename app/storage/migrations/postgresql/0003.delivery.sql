-- depends: 0002.collect_chunks
-- Delivery: leases for claimed rows, the user a row belongs to (ordering per user), notes.

ALTER TABLE outbox ADD COLUMN lease_until TEXT;
ALTER TABLE outbox ADD COLUMN user_key TEXT;
ALTER TABLE outbox ADD COLUMN delivered_at TEXT;
ALTER TABLE outbox ADD COLUMN note TEXT;
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (destination, status, next_attempt_at, id);
CREATE INDEX outbox_by_user ON outbox (destination, user_key, id) WHERE user_key IS NOT NULL;
