-- Accounts, sessions and the audit trail (issue #10). Keep in step with
-- migrations/sqlite/0003_access.sql.

-- Local and single-sign-on accounts. `wijken` is a comma-separated list of WK codes (for a
-- wijkregisseur); `password_hash` is an Argon2id PHC string, NULL for single-sign-on accounts.
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    wijken        TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Sessions, shared by every server instance on this database. `data` is the session record
-- as JSON; `expires_at` in Unix seconds.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- BIO2 8.15 audit trail: one row per sign-in, point-data read, export, change and import.
-- Each row's `hash` covers its fields and the previous row's hash (`wijkveilig audit verify`).
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    result    TEXT NOT NULL,
    origin    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_action_at ON audit_log (action, at);
