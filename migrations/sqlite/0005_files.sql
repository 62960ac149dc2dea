-- Metadata of uploaded files (product and promotion images); the bytes live in the file store
-- (a local folder or Azure Blob) under the file's id. Files never change once stored.

CREATE TABLE files (
    id            BLOB PRIMARY KEY NOT NULL,
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size_bytes    BIGINT NOT NULL CHECK (size_bytes >= 0),
    -- Lower-case hex SHA-256 of the bytes.
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at    TEXT NOT NULL,
    -- The uploading admin; no foreign key, so the record outlives an erased account.
    uploaded_by   BLOB NOT NULL
);
