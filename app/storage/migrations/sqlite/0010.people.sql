-- depends: 0007.retention
-- Projections (issue 19): consumers that read the events in commit order from a durable cursor and keep
-- tables of their own. Nothing here is written by the ingestion path: no trigger, no column on events.

-- Every event with seq <= position has been applied by the projection `name`.
CREATE TABLE projection_cursors (
    name        TEXT    PRIMARY KEY,
    position    INTEGER  NOT NULL DEFAULT 0,
    updated_at  TEXT
);

-- The people projection. A person's id is the seq of the event that first saw them, so that a rebuild
-- from the events gives the same ids.
CREATE TABLE people (
    id          INTEGER  PRIMARY KEY,
    member_id   TEXT,
    first_seen  TEXT    NOT NULL,
    last_seen   TEXT    NOT NULL,
    events      INTEGER  NOT NULL DEFAULT 0,
    traits      TEXT    NOT NULL DEFAULT '{}'   -- JSON {name: {"value": ..., "at": occurredAt}}: the later wins
);

-- The identifiers seen together in trusted inputs: kind is anonymous, member, email or phone.
CREATE TABLE person_ids (
    kind        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    person_id   INTEGER  NOT NULL,
    first_seen  TEXT    NOT NULL,
    last_seen   TEXT    NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX person_ids_by_person ON person_ids (person_id);

-- Each event of a person, with what sessions and journeys read (so that they never parse event bodies).
CREATE TABLE person_events (
    event_seq   INTEGER  PRIMARY KEY,
    person_id   INTEGER  NOT NULL,
    session_id  INTEGER,
    occurred_at TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    url         TEXT,
    title       TEXT,
    referrer    TEXT,
    campaign    TEXT,                          -- JSON of context.campaign
    user_agent  TEXT
);
CREATE INDEX person_events_by_person ON person_events (person_id, occurred_at, event_seq);
CREATE INDEX person_events_by_session ON person_events (session_id, occurred_at, event_seq);

-- A session's id is the seq of its first event.
CREATE TABLE sessions (
    id          INTEGER  PRIMARY KEY,
    person_id   INTEGER  NOT NULL,
    started_at  TEXT    NOT NULL,
    ended_at    TEXT    NOT NULL,
    landing_url TEXT,
    referrer    TEXT,
    campaign    TEXT,
    user_agent  TEXT,
    page_views  INTEGER  NOT NULL DEFAULT 0,
    events      INTEGER  NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_person ON sessions (person_id, started_at);

-- An identifier a trusted input put beside a member id while it belongs to a person with another
-- member id: recorded, never merged.
CREATE TABLE identity_conflicts (
    event_seq        INTEGER  NOT NULL,
    kind             TEXT    NOT NULL,
    value            TEXT    NOT NULL,
    person_id        INTEGER  NOT NULL,      -- who holds the identifier
    other_person_id  INTEGER  NOT NULL,      -- the person the event claimed it for
    occurred_at      TEXT    NOT NULL,
    PRIMARY KEY (event_seq, kind, value)
);
CREATE INDEX identity_conflicts_by_person ON identity_conflicts (person_id);
CREATE INDEX identity_conflicts_by_other ON identity_conflicts (other_person_id);
