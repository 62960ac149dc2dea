-- Mosques (served by a delivery area) and support content: FAQ categories with their questions,
-- contact channels, and terms versions with each customer's acceptance. Texts in ar/en.

CREATE TABLE mosques (
    id          UUID PRIMARY KEY,
    sap_id      TEXT UNIQUE,
    name_ar     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    latitude    DOUBLE PRECISION NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   DOUBLE PRECISION NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    -- No cascade: an area that mosques (and their orders) point at is deactivated, never deleted.
    area_id     UUID NOT NULL REFERENCES delivery_areas (id),
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX mosques_by_area ON mosques (area_id);

CREATE TABLE faq_categories (
    id          UUID PRIMARY KEY,
    title_ar    TEXT NOT NULL,
    title_en    TEXT NOT NULL,
    sort_order  INTEGER NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE faq_questions (
    id           UUID PRIMARY KEY,
    category_id  UUID NOT NULL REFERENCES faq_categories (id),
    question_ar  TEXT NOT NULL,
    question_en  TEXT NOT NULL,
    answer_ar    TEXT NOT NULL,
    answer_en    TEXT NOT NULL,
    sort_order   INTEGER NOT NULL,
    active       BOOLEAN NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX faq_questions_by_category ON faq_questions (category_id);

CREATE TABLE contact_channels (
    id          UUID PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('phone', 'whatsapp', 'email')),
    value       TEXT NOT NULL,
    label_ar    TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    sort_order  INTEGER NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE terms_versions (
    version       INTEGER PRIMARY KEY CHECK (version >= 1),
    body_ar       TEXT NOT NULL,
    body_en       TEXT NOT NULL,
    published_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE terms_acceptances (
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL REFERENCES terms_versions (version),
    accepted_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, version)
);
