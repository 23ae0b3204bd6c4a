-- depends: 0007.retention
-- Read-only links for shop owners: each opens one source's live events and rejections in the console,
-- with a console session limited to that source, until the link is revoked. Only a digest of the
-- link's token is kept: a copy of the table opens nothing.

CREATE TABLE console_viewer_links (
    id            TEXT   PRIMARY KEY,
    token_digest  TEXT   NOT NULL UNIQUE,
    source_id     TEXT   NOT NULL,
    label         TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX console_viewer_links_by_source ON console_viewer_links (source_id, created_at);

-- A session opened by a link sees only that link's source (NULL: an admin's session), and ends when
-- the link is revoked (its sessions are found by the link's id).
ALTER TABLE console_sessions ADD COLUMN source_id TEXT;
ALTER TABLE console_sessions ADD COLUMN viewer_link TEXT;
CREATE INDEX console_sessions_by_viewer_link ON console_sessions (viewer_link) WHERE viewer_link IS NOT NULL;
