-- Accounts, one-time codes, refresh tokens, SAP clients, the audit trail and the local SMS outbox.
-- Ids are UUIDv7 (BLOB); timestamps are UTC text in one fixed-width form so they sort as text.

CREATE TABLE users (
    id                  BLOB PRIMARY KEY NOT NULL,
    phone               TEXT UNIQUE,
    full_name           TEXT NOT NULL,
    -- full_name lower-cased by the application (Unicode-aware, unlike SQLite's LOWER) for search.
    full_name_search    TEXT NOT NULL,
    password_hash       TEXT,
    role                TEXT NOT NULL CHECK (role IN ('customer', 'admin')),
    status              TEXT NOT NULL CHECK (status IN ('unverified', 'active', 'blocked', 'deleted')),
    language            TEXT NOT NULL CHECK (language IN ('ar', 'en')),
    location_latitude   REAL,
    location_longitude  REAL,
    location_accuracy_m REAL,
    sap_id              TEXT UNIQUE,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    verified_at         TEXT,
    deleted_at          TEXT
);

CREATE TABLE verification_codes (
    id               BLOB PRIMARY KEY NOT NULL,
    user_id          BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose          TEXT NOT NULL CHECK (purpose IN ('verify_phone', 'reset_password')),
    code_fingerprint TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    consumed_at      TEXT
);
CREATE INDEX verification_codes_by_user ON verification_codes (user_id, purpose, created_at);

-- One row per sign-in; rotation and revocation lock it, so a rotation racing a revocation cannot
-- leave a live token in a revoked family.
CREATE TABLE refresh_token_families (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX refresh_token_families_by_user ON refresh_token_families (user_id);

CREATE TABLE refresh_tokens (
    id                BLOB PRIMARY KEY NOT NULL,
    family_id         BLOB NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
    user_id           BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_fingerprint TEXT NOT NULL UNIQUE,
    issued_at         TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    used_at           TEXT,
    revoked_at        TEXT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);

CREATE TABLE sap_clients (
    id                 BLOB PRIMARY KEY NOT NULL,
    client_id          TEXT NOT NULL UNIQUE,
    secret_fingerprint TEXT NOT NULL,
    name               TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    disabled_at        TEXT
);

CREATE TABLE audit_events (
    id          BLOB PRIMARY KEY NOT NULL,
    occurred_at TEXT NOT NULL,
    kind        TEXT NOT NULL,
    route       TEXT NOT NULL,
    subject     TEXT,
    client_ip   TEXT,
    reason      TEXT NOT NULL,
    request_id  TEXT
);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at);

CREATE TABLE sms_outbox (
    id         BLOB PRIMARY KEY NOT NULL,
    to_phone   TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
