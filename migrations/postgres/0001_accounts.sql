-- Accounts, one-time codes, refresh tokens, SAP clients, the audit trail and the local SMS outbox.
-- Ids are UUIDv7; timestamps are TIMESTAMPTZ (UTC).

CREATE TABLE users (
    id                  UUID PRIMARY KEY,
    phone               TEXT UNIQUE,
    full_name           TEXT NOT NULL,
    -- full_name lower-cased by the application (Unicode-aware, unlike SQLite's LOWER) for search.
    full_name_search    TEXT NOT NULL,
    password_hash       TEXT,
    role                TEXT NOT NULL CHECK (role IN ('customer', 'admin')),
    status              TEXT NOT NULL CHECK (status IN ('unverified', 'active', 'blocked', 'deleted')),
    language            TEXT NOT NULL CHECK (language IN ('ar', 'en')),
    location_latitude   DOUBLE PRECISION,
    location_longitude  DOUBLE PRECISION,
    location_accuracy_m DOUBLE PRECISION,
    sap_id              TEXT UNIQUE,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    verified_at         TIMESTAMPTZ,
    deleted_at          TIMESTAMPTZ
);

CREATE TABLE verification_codes (
    id               UUID PRIMARY KEY,
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose          TEXT NOT NULL CHECK (purpose IN ('verify_phone', 'reset_password')),
    code_fingerprint TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    consumed_at      TIMESTAMPTZ
);
CREATE INDEX verification_codes_by_user ON verification_codes (user_id, purpose, created_at);

-- One row per sign-in; rotation and revocation lock it, so a rotation racing a revocation cannot
-- leave a live token in a revoked family.
CREATE TABLE refresh_token_families (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX refresh_token_families_by_user ON refresh_token_families (user_id);

CREATE TABLE refresh_tokens (
    id                UUID PRIMARY KEY,
    family_id         UUID NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
    user_id           UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_fingerprint TEXT NOT NULL UNIQUE,
    issued_at         TIMESTAMPTZ NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL,
    used_at           TIMESTAMPTZ,
    revoked_at        TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);

CREATE TABLE sap_clients (
    id                 UUID PRIMARY KEY,
    client_id          TEXT NOT NULL UNIQUE,
    secret_fingerprint TEXT NOT NULL,
    name               TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    disabled_at        TIMESTAMPTZ
);

CREATE TABLE audit_events (
    id          UUID PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL,
    kind        TEXT NOT NULL,
    route       TEXT NOT NULL,
    subject     TEXT,
    client_ip   TEXT,
    reason      TEXT NOT NULL,
    request_id  TEXT
);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at);

CREATE TABLE sms_outbox (
    id         UUID PRIMARY KEY,
    to_phone   TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
