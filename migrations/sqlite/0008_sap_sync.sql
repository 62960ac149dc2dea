-- SAP synchronisation (issue 5).
--
-- Our change feed gains the sync-worker's delivery state: how many pushes were tried, the last error,
-- when the next try is due, and a dead-letter mark an operator clears (retry) or settles (skip).
ALTER TABLE changes ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE changes ADD COLUMN last_error TEXT;
ALTER TABLE changes ADD COLUMN next_attempt_at TEXT;
ALTER TABLE changes ADD COLUMN dead_at TEXT;
ALTER TABLE changes ADD COLUMN completed_by TEXT;
ALTER TABLE changes ADD COLUMN skip_reason TEXT;
CREATE INDEX changes_dead ON changes (dead_at) WHERE dead_at IS NOT NULL;

-- What SAP has told us about each of its entities: its id, ours, and the version last applied, so a
-- repeated create is an update and an older update than the one applied is refused.
CREATE TABLE sap_links (
    entity      TEXT NOT NULL,
    sap_id      TEXT NOT NULL,
    app_id      BLOB NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (entity, sap_id)
);
CREATE INDEX sap_links_by_app_id ON sap_links (entity, app_id);

-- Every change from SAP we refused (pushed to our endpoints or pulled from SAP's feed), with its payload
-- and the problems found, for the people who investigate.
CREATE TABLE sync_failures (
    id          BLOB PRIMARY KEY NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('push', 'pull')),
    entity      TEXT NOT NULL,
    operation   TEXT NOT NULL,
    sap_id      TEXT,
    change_id   TEXT,
    status      INTEGER NOT NULL,
    error_type  TEXT NOT NULL,
    errors      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX sync_failures_recent ON sync_failures (created_at);

-- Small facts the worker keeps between runs (last successful push and pull), by name.
CREATE TABLE sync_state (
    name        TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
