-- tagway storage, version 1: raw inputs, canonical events, rejections, and the delivery outbox.
-- Times are RFC 3339 UTC text with milliseconds, which sorts like the times themselves.

CREATE TABLE inputs (
    id            INTEGER PRIMARY KEY,
    received_at   TEXT    NOT NULL,
    source_id     TEXT,
    adapter       TEXT,
    endpoint      TEXT    NOT NULL,          -- events | webhook | collect
    method        TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    query         TEXT    NOT NULL DEFAULT '',  -- write keys masked
    headers       TEXT    NOT NULL DEFAULT '{}', -- JSON; credentials removed
    body          BLOB    NOT NULL,          -- capped at limits.max_kept_body_bytes
    body_size     INTEGER NOT NULL,          -- the size as received
    remote_addr   TEXT
);

CREATE TABLE events (
    seq           INTEGER PRIMARY KEY,
    source_id     TEXT    NOT NULL,
    event_id      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    occurred_at   TEXT    NOT NULL,
    received_at   TEXT    NOT NULL,
    anonymous_id  TEXT,
    member_id     TEXT,
    email         TEXT,
    input_id      INTEGER REFERENCES inputs (id),
    body          TEXT    NOT NULL,          -- the canonical event as JSON
    UNIQUE (source_id, event_id)
);
-- No secondary index on purpose: each one is another b-tree written by every commit on the
-- ingestion path. Listings scan from the newest event (ORDER BY seq DESC LIMIT n).

CREATE TABLE rejections (
    id            INTEGER PRIMARY KEY,
    received_at   TEXT    NOT NULL,
    input_id      INTEGER REFERENCES inputs (id),
    source_id     TEXT,
    adapter       TEXT,
    endpoint      TEXT    NOT NULL,
    status        INTEGER NOT NULL,          -- the HTTP status the input was answered with
    reason        TEXT    NOT NULL,          -- auth | signature | payload | schema | too_large | content_type | not_found
    problems      TEXT    NOT NULL,          -- JSON list of {field, value, expectation}
    event_index   INTEGER,                   -- for one event of a batch
    event_body    BLOB,                      -- that event as sent
    replayed_at   TEXT,
    replay_result TEXT
);
CREATE INDEX rejections_by_received ON rejections (received_at);
CREATE INDEX rejections_by_source ON rejections (source_id, id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    event_seq       INTEGER NOT NULL REFERENCES events (seq),
    destination     TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (event_seq, destination)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
