-- Users of the panel; roles: admin, viewer. Times are Unix milliseconds (UTC).
CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    user_name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash    TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
    security_stamp   TEXT    NOT NULL,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    locked_until     INTEGER,
    totp_secret      TEXT,
    totp_last_step   INTEGER,
    created_at       INTEGER NOT NULL
);

-- One-time recovery codes for the TOTP second factor, stored as SHA-256 of the code; a used code is deleted.
CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- Every admin action: who, what, when, from where.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    user_name       TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    target          TEXT,
    detail          TEXT,
    remote_address  TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_name, at);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
