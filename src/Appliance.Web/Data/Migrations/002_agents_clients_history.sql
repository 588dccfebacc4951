-- Paired agents: the API URL, the pinned certificate fingerprint, the pairing token protected with Data Protection.
CREATE TABLE agents (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    url              TEXT    NOT NULL UNIQUE,
    fingerprint      TEXT    NOT NULL,
    protected_token  TEXT    NOT NULL,
    paired_at        INTEGER NOT NULL,
    paired_by        TEXT    NOT NULL
);

-- Panel-side choices per client (the agent knows nothing of them): the default transport of its profile.
CREATE TABLE client_options (
    agent_id     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    client_name  TEXT    NOT NULL,
    transport    TEXT    NOT NULL CHECK (transport IN ('udp', 'tcp')),
    PRIMARY KEY (agent_id, client_name)
);

-- One-time download links; only the SHA-256 of the token is kept.
CREATE TABLE download_links (
    id             INTEGER PRIMARY KEY,
    token_hash     TEXT    NOT NULL UNIQUE,
    agent_id       INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    client_name    TEXT    NOT NULL,
    transport      TEXT    NOT NULL CHECK (transport IN ('udp', 'tcp')),
    platform       TEXT    NOT NULL CHECK (platform IN ('windows', 'linux', 'macos')),
    created_at     INTEGER NOT NULL,
    created_by     TEXT    NOT NULL,
    expires_at     INTEGER NOT NULL,
    consumed_at    INTEGER,
    consumed_from  TEXT
);
CREATE INDEX download_links_expires ON download_links(expires_at);

-- History. The last counters seen per live session (to compute the next delta); survives a panel restart.
CREATE TABLE history_cursor (
    agent_id     INTEGER NOT NULL,
    session_id   TEXT    NOT NULL,
    client_name  TEXT    NOT NULL,
    sampled_at   INTEGER NOT NULL,
    frames_in    INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    frames_out   INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    dropped_in   INTEGER NOT NULL,
    dropped_out  INTEGER NOT NULL,
    short_in     INTEGER NOT NULL,
    short_out    INTEGER NOT NULL,
    PRIMARY KEY (agent_id, session_id)
);

-- Per-client deltas, one row per poll with traffic.
CREATE TABLE history_samples (
    id           INTEGER PRIMARY KEY,
    agent_id     INTEGER NOT NULL,
    client_name  TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    frames_in    INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    frames_out   INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    dropped_in   INTEGER NOT NULL,
    dropped_out  INTEGER NOT NULL,
    short_in     INTEGER NOT NULL,
    short_out    INTEGER NOT NULL
);
CREATE INDEX history_samples_at ON history_samples(at);

-- Rollups: per client and UTC-aligned bucket (start, Unix ms).
CREATE TABLE history_minute (
    agent_id INTEGER NOT NULL, client_name TEXT NOT NULL, bucket INTEGER NOT NULL,
    frames_in INTEGER NOT NULL, bytes_in INTEGER NOT NULL, frames_out INTEGER NOT NULL, bytes_out INTEGER NOT NULL,
    dropped_in INTEGER NOT NULL, dropped_out INTEGER NOT NULL, short_in INTEGER NOT NULL, short_out INTEGER NOT NULL,
    PRIMARY KEY (agent_id, client_name, bucket)
);
CREATE TABLE history_hour (
    agent_id INTEGER NOT NULL, client_name TEXT NOT NULL, bucket INTEGER NOT NULL,
    frames_in INTEGER NOT NULL, bytes_in INTEGER NOT NULL, frames_out INTEGER NOT NULL, bytes_out INTEGER NOT NULL,
    dropped_in INTEGER NOT NULL, dropped_out INTEGER NOT NULL, short_in INTEGER NOT NULL, short_out INTEGER NOT NULL,
    PRIMARY KEY (agent_id, client_name, bucket)
);
CREATE TABLE history_day (
    agent_id INTEGER NOT NULL, client_name TEXT NOT NULL, bucket INTEGER NOT NULL,
    frames_in INTEGER NOT NULL, bytes_in INTEGER NOT NULL, frames_out INTEGER NOT NULL, bytes_out INTEGER NOT NULL,
    dropped_in INTEGER NOT NULL, dropped_out INTEGER NOT NULL, short_in INTEGER NOT NULL, short_out INTEGER NOT NULL,
    PRIMARY KEY (agent_id, client_name, bucket)
);
CREATE INDEX history_minute_bucket ON history_minute(bucket);
CREATE INDEX history_hour_bucket ON history_hour(bucket);
CREATE INDEX history_day_bucket ON history_day(bucket);

-- How far each level has been rolled up from the one below (exclusive, Unix ms).
CREATE TABLE history_rollup (
    granularity   TEXT    PRIMARY KEY CHECK (granularity IN ('minute', 'hour', 'day')),
    rolled_until  INTEGER NOT NULL
);
