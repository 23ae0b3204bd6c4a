-- depends: 0006.console_sessions
-- Retention and cheap metrics. The indexes are partial so that the ingestion path writes none of
-- them for its usual rows: an outbox row enters outbox_delivered or outbox_dead only when the worker
-- finishes it, and events_by_input / rejections_by_input only hold rows whose raw request was kept.

-- The purge finds finished deliveries older than their retention along these.
CREATE INDEX outbox_delivered ON outbox (updated_at) WHERE status = 'delivered';
CREATE INDEX outbox_dead ON outbox (updated_at) WHERE status = 'dead';
-- Purging a kept input clears the references to it (and the foreign key checks them) along these.
CREATE INDEX events_by_input ON events (input_id) WHERE input_id IS NOT NULL;
CREATE INDEX rejections_by_input ON rejections (input_id) WHERE input_id IS NOT NULL;

-- Deliveries finished since the database was created, per destination and outcome (delivered, dead):
-- added to in the transaction that finishes them, so /metrics reads them without scanning the outbox
-- and they survive the purge of the rows.
CREATE TABLE delivery_totals (
    destination   TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    total         INTEGER NOT NULL,
    PRIMARY KEY (destination, outcome)
);
