-- depends: 0007.retention
-- One order, many witnesses: an order event of a site (the same id from every source of the shop) is
-- one row of events; each source that saw it is one row here, with the event as that source told it,
-- so that what a later witness knows is kept and merged into the stored event, not dropped.
-- Only order events of sources with a `site` write here: the ingestion path of other events is unchanged.
-- seq grows with every witness kept, so that a projection can follow the witnesses as it follows events.

CREATE TABLE witnesses (
    seq           INTEGER PRIMARY KEY,
    event_id      TEXT    NOT NULL,
    source_id     TEXT    NOT NULL,
    event_seq     INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,          -- webhook | server | browser: how the witness arrived
    received_at   TEXT    NOT NULL,
    body          TEXT    NOT NULL,          -- the canonical event as this witness gave it
    UNIQUE (event_id, source_id)
);
-- The event's witnesses (listings, and the purge of events, whose witnesses go with them).
CREATE INDEX witnesses_by_event ON witnesses (event_seq);
