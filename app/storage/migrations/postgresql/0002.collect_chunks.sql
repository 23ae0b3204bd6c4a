-- depends: 0001.initial
-- Chunks of collect payloads too long for one URL, kept until the whole payload has arrived.

CREATE TABLE collect_chunks (
    source_id    TEXT    NOT NULL,
    payload_id   TEXT    NOT NULL,
    part         INTEGER NOT NULL,
    parts        INTEGER NOT NULL,
    data         TEXT    NOT NULL,
    received_at  TEXT    NOT NULL,
    PRIMARY KEY (source_id, payload_id, part)
);
CREATE INDEX collect_chunks_by_received ON collect_chunks (received_at);
