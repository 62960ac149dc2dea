-- Pushes kept by the local push stand-in (used when Firebase Cloud Messaging is not configured), for
-- `sabil push list`. outcome: 'sent', or 'token_invalid' for tokens the stand-in treats as unregistered.
-- Ids are UUIDv7 (BLOB); timestamps are UTC text in one fixed-width form so they sort as text.

CREATE TABLE local_pushes (
    id         BLOB PRIMARY KEY NOT NULL,
    token      TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    -- The data payload as a JSON object of strings.
    data       TEXT NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('sent', 'token_invalid')),
    created_at TEXT NOT NULL
);
CREATE INDEX local_pushes_by_token ON local_pushes (token, id);
