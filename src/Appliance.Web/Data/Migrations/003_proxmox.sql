-- The Proxmox VE host or cluster the panel drives (one row, id 1): the token secret and the SSH key are protected with
-- Data Protection; fingerprints are pins confirmed by an admin. Times are Unix milliseconds (UTC).
CREATE TABLE proxmox_site (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    base_url             TEXT    NOT NULL,
    token_id             TEXT    NOT NULL,
    protected_secret     TEXT    NOT NULL,
    fingerprint          TEXT    NOT NULL,
    cluster_ca_pem       TEXT,
    node                 TEXT,
    vm_id                INTEGER,
    pppoe_bridge         TEXT    NOT NULL DEFAULT 'vmbr1',
    ssh_host             TEXT,
    ssh_port             INTEGER,
    ssh_user             TEXT,
    protected_ssh_key    TEXT,
    ssh_host_key         TEXT,
    connected_at         INTEGER NOT NULL,
    connected_by         TEXT    NOT NULL
);
