-- Products and promotions (owned by SAP), delivery areas and their weekly slots with the places
-- reserved per date. Money is minor units (BIGINT) with its currency; names and texts in ar/en.

CREATE TABLE products (
    id                BLOB PRIMARY KEY NOT NULL,
    sap_id            TEXT UNIQUE,
    title_ar          TEXT NOT NULL,
    title_en          TEXT NOT NULL,
    description_ar    TEXT NOT NULL,
    description_en    TEXT NOT NULL,
    product_type      TEXT NOT NULL CHECK (product_type IN ('refill', 'pack', 'coupon_book')),
    volume_ml         INTEGER NOT NULL CHECK (volume_ml > 0),
    bottles_per_pack  INTEGER NOT NULL CHECK (bottles_per_pack > 0),
    price_minor       BIGINT NOT NULL CHECK (price_minor >= 0),
    currency          TEXT NOT NULL,
    min_quantity      INTEGER NOT NULL CHECK (min_quantity >= 1),
    max_quantity      INTEGER NOT NULL CHECK (max_quantity >= min_quantity),
    image_id          BLOB,
    active            BOOLEAN NOT NULL,
    sort_order        INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX products_by_sort ON products (sort_order, id);

CREATE TABLE promotions (
    id                  BLOB PRIMARY KEY NOT NULL,
    sap_id              TEXT UNIQUE,
    title_ar            TEXT NOT NULL,
    title_en            TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('buy_get_free', 'fixed_price_bundle')),
    buy_packs           INTEGER,
    free_packs          INTEGER,
    bundle_packs        INTEGER,
    bundle_price_minor  BIGINT,
    bundle_currency     TEXT,
    valid_from          TEXT NOT NULL,
    valid_until         TEXT NOT NULL,
    image_id            BLOB,
    active              BOOLEAN NOT NULL,
    CHECK (valid_until > valid_from)
);
CREATE INDEX promotions_by_window ON promotions (valid_until, valid_from);

CREATE TABLE promotion_products (
    promotion_id BLOB NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    product_id   BLOB NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (promotion_id, product_id)
);

CREATE TABLE delivery_areas (
    id                   BLOB PRIMARY KEY NOT NULL,
    sap_id               TEXT UNIQUE,
    name_ar              TEXT NOT NULL,
    name_en              TEXT NOT NULL,
    -- GeoJSON MultiPolygon coordinates ([polygon][ring][[lon, lat]]), or NULL.
    boundary             TEXT,
    delivery_fee_minor   BIGINT NOT NULL CHECK (delivery_fee_minor >= 0),
    minimum_order_minor  BIGINT NOT NULL CHECK (minimum_order_minor >= 0),
    currency             TEXT NOT NULL,
    active               BOOLEAN NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE TABLE delivery_slots (
    id             BLOB PRIMARY KEY NOT NULL,
    area_id        BLOB NOT NULL REFERENCES delivery_areas (id) ON DELETE CASCADE,
    -- ISO weekday: 1 = Monday ... 7 = Sunday.
    weekday        INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    -- Minutes after midnight, business time.
    starts_minute  INTEGER NOT NULL CHECK (starts_minute BETWEEN 0 AND 1439),
    ends_minute    INTEGER NOT NULL CHECK (ends_minute BETWEEN 1 AND 1440 AND ends_minute > starts_minute),
    capacity       INTEGER NOT NULL CHECK (capacity >= 0),
    active         BOOLEAN NOT NULL
);
CREATE INDEX delivery_slots_by_area ON delivery_slots (area_id, weekday, starts_minute);

CREATE TABLE slot_reservations (
    slot_id        BLOB NOT NULL REFERENCES delivery_slots (id) ON DELETE CASCADE,
    delivery_date  TEXT NOT NULL,
    reserved       INTEGER NOT NULL CHECK (reserved >= 0),
    PRIMARY KEY (slot_id, delivery_date)
);
