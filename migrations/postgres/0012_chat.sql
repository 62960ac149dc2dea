-- Customer-support chat: conversations between a customer and the support team, and their messages
-- (text, or an uploaded image with an optional caption) with delivered and read times. `seq` numbers
-- the messages of a conversation (assigned under the conversation row's write lock, so instances
-- sending at once agree on the order); the unread counts are kept with every message and read mark.

CREATE TABLE chat_conversations (
    id               UUID PRIMARY KEY,
    customer_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    -- The support agent (an admin); no foreign key, so the history outlives an erased admin account.
    assigned_to      UUID,
    message_count    BIGINT NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    customer_unread  INTEGER NOT NULL DEFAULT 0 CHECK (customer_unread >= 0),
    support_unread   INTEGER NOT NULL DEFAULT 0 CHECK (support_unread >= 0),
    created_at       TIMESTAMPTZ NOT NULL,
    last_message_at  TIMESTAMPTZ NOT NULL,
    closed_at        TIMESTAMPTZ
);
CREATE INDEX chat_conversations_by_customer ON chat_conversations (customer_id, last_message_at);
CREATE INDEX chat_conversations_by_status ON chat_conversations (status, last_message_at);

CREATE TABLE chat_messages (
    id               UUID PRIMARY KEY,
    conversation_id  UUID NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    seq              BIGINT NOT NULL CHECK (seq >= 1),
    sender_side      TEXT NOT NULL CHECK (sender_side IN ('customer', 'support')),
    -- The sending customer or agent; no foreign key (see assigned_to).
    sender_id        UUID NOT NULL,
    body             TEXT,
    image_id         UUID REFERENCES files (id),
    sent_at          TIMESTAMPTZ NOT NULL,
    delivered_at     TIMESTAMPTZ,
    read_at          TIMESTAMPTZ,
    CHECK (body IS NOT NULL OR image_id IS NOT NULL),
    UNIQUE (conversation_id, seq)
);
