-- Surveys admins define (shared with SAP: every change is recorded in `changes`), their questions and
-- choices, and customers' answers (once per survey and customer); ratings of delivered orders (once per
-- order); customers' questions to support with an admin's answer.

CREATE TABLE surveys (
    id              UUID PRIMARY KEY,
    sap_id          TEXT UNIQUE,
    title_ar        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    -- Answerable from starts_at (inclusive) to ends_at (exclusive), while active.
    starts_at       TIMESTAMPTZ NOT NULL,
    ends_at         TIMESTAMPTZ NOT NULL,
    -- Offered only to customers who have had an order delivered.
    after_delivery  BOOLEAN NOT NULL,
    active          BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX surveys_open ON surveys (active, starts_at);

CREATE TABLE survey_questions (
    id          UUID PRIMARY KEY,
    survey_id   UUID NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('single_choice', 'multiple_choice', 'rating', 'free_text')),
    text_ar     TEXT NOT NULL,
    text_en     TEXT NOT NULL,
    required    BOOLEAN NOT NULL,
    UNIQUE (survey_id, position),
    -- Lets an answer's items point at a question of their own survey only.
    UNIQUE (survey_id, id)
);

CREATE TABLE survey_options (
    id           UUID PRIMARY KEY,
    question_id  UUID NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    label_ar     TEXT NOT NULL,
    label_en     TEXT NOT NULL,
    UNIQUE (question_id, position),
    UNIQUE (question_id, id)
);

-- No cascade from surveys: a survey with answers cannot be deleted (or have its questions replaced);
-- admins deactivate it instead.
CREATE TABLE survey_answers (
    id          UUID PRIMARY KEY,
    sap_id      TEXT UNIQUE,
    survey_id   UUID NOT NULL REFERENCES surveys (id),
    user_id     UUID NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT survey_answers_once UNIQUE (survey_id, user_id),
    UNIQUE (id, survey_id)
);
CREATE INDEX survey_answers_by_survey ON survey_answers (survey_id, id);

-- One row per answered question, or per choice picked: the choice, the rating or the text.
CREATE TABLE survey_answer_items (
    answer_id    UUID NOT NULL,
    item_no      INTEGER NOT NULL,
    survey_id    UUID NOT NULL,
    question_id  UUID NOT NULL,
    option_id    UUID,
    rating       INTEGER CHECK (rating BETWEEN 1 AND 5),
    text         TEXT,
    PRIMARY KEY (answer_id, item_no),
    FOREIGN KEY (answer_id, survey_id) REFERENCES survey_answers (id, survey_id) ON DELETE CASCADE,
    FOREIGN KEY (survey_id, question_id) REFERENCES survey_questions (survey_id, id),
    FOREIGN KEY (question_id, option_id) REFERENCES survey_options (question_id, id),
    CHECK ((option_id IS NOT NULL AND rating IS NULL AND text IS NULL)
        OR (option_id IS NULL AND rating IS NOT NULL AND text IS NULL)
        OR (option_id IS NULL AND rating IS NULL AND text IS NOT NULL))
);
CREATE INDEX survey_answer_items_by_question ON survey_answer_items (question_id);

-- A customer's rating of a delivered order, with the order's area kept for the per-area averages.
CREATE TABLE service_ratings (
    id          UUID PRIMARY KEY,
    order_id    UUID NOT NULL UNIQUE REFERENCES orders (id),
    user_id     UUID NOT NULL REFERENCES users (id),
    area_id     UUID NOT NULL REFERENCES delivery_areas (id),
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment     TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX service_ratings_by_time ON service_ratings (created_at);

CREATE TABLE customer_questions (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id),
    body         TEXT NOT NULL,
    answer       TEXT,
    answered_by  UUID REFERENCES users (id),
    answered_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    CHECK ((answer IS NULL AND answered_by IS NULL AND answered_at IS NULL)
        OR (answer IS NOT NULL AND answered_by IS NOT NULL AND answered_at IS NOT NULL))
);
CREATE INDEX customer_questions_by_user ON customer_questions (user_id, id);
CREATE INDEX customer_questions_open ON customer_questions (id) WHERE answer IS NULL;
