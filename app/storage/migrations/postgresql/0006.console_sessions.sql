-- depends: 0005.delivery_lease_owner
-- Console sessions: a row per signed-in browser, so that signing out revokes its cookie on every
-- worker and machine. The row holds a digest of the session id, never the id the cookie carries.

CREATE TABLE console_sessions (
    id_digest   TEXT   PRIMARY KEY,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
