-- tagway storage, version 1 (PostgreSQL): the same tables as SQLite's 0001.initial.
-- Times are RFC 3339 UTC text with milliseconds, which sorts like the times themselves.

CREATE TABLE inputs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at   TEXT    NOT NULL,
    source_id     TEXT,
    adapter       TEXT,
    endpoint      TEXT    NOT NULL,
    method        TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    query         TEXT    NOT NULL DEFAULT '',
    headers       TEXT    NOT NULL DEFAULT '{}',
    body          BYTEA   NOT NULL,
    body_size     BIGINT  NOT NULL,
    remote_addr   TEXT
);

CREATE TABLE events (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id     TEXT    NOT NULL,
    event_id      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    occurred_at   TEXT    NOT NULL,
    received_at   TEXT    NOT NULL,
    anonymous_id  TEXT,
    member_id     TEXT,
    email         TEXT,
    input_id      BIGINT REFERENCES inputs (id),
    body          TEXT    NOT NULL,
    UNIQUE (source_id, event_id)
);
-- As in SQLite, no secondary index on the write path: listings scan from the newest event.

CREATE TABLE rejections (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at   TEXT    NOT NULL,
    input_id      BIGINT REFERENCES inputs (id),
    source_id     TEXT,
    adapter       TEXT,
    endpoint      TEXT    NOT NULL,
    status        INTEGER NOT NULL,
    reason        TEXT    NOT NULL,
    problems      TEXT    NOT NULL,
    event_index   INTEGER,
    event_body    BYTEA,
    replayed_at   TEXT,
    replay_result TEXT
);
CREATE INDEX rejections_by_received ON rejections (received_at);
CREATE INDEX rejections_by_source ON rejections (source_id, id);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_seq       BIGINT  NOT NULL REFERENCES events (seq),
    destination     TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (event_seq, destination)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
