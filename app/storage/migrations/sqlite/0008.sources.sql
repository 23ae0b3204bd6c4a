-- depends: 0007.retention
-- Sources added while the gateway runs (console, `tagway sources add`): the file's [[sources]] stay in
-- tagway.toml; these rows add to them. `settings` holds the values as given (JSON), validated again by the
-- adapter's settings schema whenever a worker loads them. `source_catalog.version` grows with every
-- change, so that each worker notices one with a single-row read and reloads the rows.

CREATE TABLE sources (
    id              TEXT    PRIMARY KEY,
    adapter         TEXT    NOT NULL,
    title           TEXT    NOT NULL DEFAULT '',
    write_key       TEXT,
    enabled         INTEGER NOT NULL DEFAULT 1,
    rate_limit      TEXT,
    allowed_origins TEXT    NOT NULL DEFAULT '[]',
    settings        TEXT    NOT NULL DEFAULT '{}',
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

CREATE TABLE source_catalog (
    version BIGINT NOT NULL
);

INSERT INTO source_catalog (version) VALUES (0);
