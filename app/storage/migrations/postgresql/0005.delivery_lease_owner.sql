-- depends: 0004.input_encoding
-- Delivery: which claim holds an inflight row, so that only its holder renews or finishes it.
-- The index is partial: finished rows drop their lease, so it holds only what is in flight.

ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
CREATE INDEX outbox_lease_owner ON outbox (lease_owner) WHERE lease_owner IS NOT NULL;
