-- Customers' delivery addresses: the kind of place with the fields it needs (house: house;
-- apartment: building, floor, apartment; office: building, floor, office), a label, the map pin and
-- the delivery area that serves it. Numbers are text ("12A", "G"). The service caps how many one
-- customer keeps; orders will copy an address, so deleting one removes the row.

CREATE TABLE addresses (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sap_id      TEXT UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('house', 'apartment', 'office')),
    label       TEXT NOT NULL,
    block       TEXT NOT NULL,
    street      TEXT NOT NULL,
    avenue      TEXT,
    house       TEXT,
    building    TEXT,
    floor       TEXT,
    apartment   TEXT,
    office      TEXT,
    directions  TEXT,
    latitude    DOUBLE PRECISION NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   DOUBLE PRECISION NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    area_id     UUID NOT NULL REFERENCES delivery_areas (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX addresses_by_user ON addresses (user_id, id);
CREATE INDEX addresses_by_area ON addresses (area_id);
