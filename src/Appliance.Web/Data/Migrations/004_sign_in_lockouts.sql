-- Failed sign-ins counted per user AND client address: an outsider who knows an admin's name locks out only the
-- address they try from, never the admin at theirs. remote_address is '' when the address is unknown. The users
-- table's failed_logins / locked_until are no longer written.
CREATE TABLE sign_in_lockouts (
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    remote_address  TEXT    NOT NULL,
    failed          INTEGER NOT NULL,
    locked_until    INTEGER,
    PRIMARY KEY (user_id, remote_address)
);
