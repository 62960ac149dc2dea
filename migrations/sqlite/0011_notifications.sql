-- Notifications: customers' devices (push registration tokens), in-app notifications, and admin
-- broadcasts with their delivery progress.
-- Ids are UUIDv7 (BLOB); timestamps are UTC text in one fixed-width form so they sort as text.

-- One row per app install; a token belongs to one user at a time (registering it again moves it).
CREATE TABLE devices (
    token      TEXT PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    platform   TEXT NOT NULL CHECK (platform IN ('android', 'ios', 'web')),
    language   TEXT NOT NULL CHECK (language IN ('ar', 'en')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX devices_by_user ON devices (user_id, created_at);

-- Title and body are written in the user's language when the notification is created. dedupe_key is
-- the event's key (the outbox message's, or broadcast:<id>): one event, one notification per user.
CREATE TABLE notifications (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    -- A JSON object of strings (orderId, conversationId, ...).
    data       TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    read_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, dedupe_key);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- A broadcast and its progress: recipients go by user id; after_user_id is the last one handled, so a
-- restarted worker continues after it. claimed_until is the lease of the worker delivering it.
CREATE TABLE broadcasts (
    id            BLOB PRIMARY KEY NOT NULL,
    title_ar      TEXT NOT NULL,
    title_en      TEXT NOT NULL,
    body_ar       TEXT NOT NULL,
    body_en       TEXT NOT NULL,
    audience      TEXT NOT NULL CHECK (audience IN ('all_customers', 'area', 'users')),
    area_id       BLOB REFERENCES delivery_areas (id),
    status        TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'done', 'failed')),
    total         BIGINT,
    processed     BIGINT NOT NULL DEFAULT 0,
    sent          BIGINT NOT NULL DEFAULT 0,
    failed        BIGINT NOT NULL DEFAULT 0,
    after_user_id BLOB,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    available_at  TEXT NOT NULL,
    claimed_until TEXT,
    created_by    BLOB NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finished_at   TEXT,
    CHECK ((audience = 'area') = (area_id IS NOT NULL))
);
CREATE INDEX broadcasts_open ON broadcasts (created_at) WHERE status IN ('queued', 'sending');

-- The customers a list broadcast names (ids that match no active customer are simply not reached).
CREATE TABLE broadcast_users (
    broadcast_id BLOB NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    user_id      BLOB NOT NULL,
    PRIMARY KEY (broadcast_id, user_id)
);
