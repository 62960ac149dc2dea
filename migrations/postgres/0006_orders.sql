-- Orders and payments: carts, promo codes, the coupon wallet (batches and their ledger), orders with
-- their lines, price breakdown and lifecycle events, checkout idempotency keys, payments and refunds,
-- the change feed read by SAP, and the outbox the sync-worker delivers from.
-- Money is minor units (BIGINT) with its currency; percentages are basis points (500 = 5 %).

-- A customer's cart: one line per product.
CREATE TABLE cart_items (
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  UUID NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    added_at    TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, product_id)
);

-- Promo codes: an order-level discount (percent or fixed), with a minimum order, a validity window,
-- a cap on total uses and uses per customer, and an optional product restriction.
CREATE TABLE promo_codes (
    id                     UUID PRIMARY KEY,
    -- Stored upper-case; customers type it in any case.
    code                   TEXT NOT NULL UNIQUE,
    description            TEXT NOT NULL,
    discount_kind          TEXT NOT NULL CHECK (discount_kind IN ('percent', 'fixed')),
    percent_bp             INTEGER CHECK (percent_bp BETWEEN 1 AND 10000),
    amount_minor           BIGINT CHECK (amount_minor > 0),
    currency               TEXT NOT NULL,
    min_order_minor        BIGINT NOT NULL CHECK (min_order_minor >= 0),
    valid_from             TIMESTAMPTZ NOT NULL,
    valid_until            TIMESTAMPTZ NOT NULL,
    max_uses               INTEGER CHECK (max_uses > 0),
    max_uses_per_customer  INTEGER CHECK (max_uses_per_customer > 0),
    -- Live uses (placed orders not cancelled); raised and lowered in the order's transaction.
    uses                   INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    active                 BOOLEAN NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL,
    CHECK (valid_until > valid_from),
    CHECK ((discount_kind = 'percent' AND percent_bp IS NOT NULL AND amount_minor IS NULL)
        OR (discount_kind = 'fixed' AND amount_minor IS NOT NULL AND percent_bp IS NULL))
);

-- When present, the code only discounts these products.
CREATE TABLE promo_code_products (
    promo_code_id  UUID NOT NULL REFERENCES promo_codes (id) ON DELETE CASCADE,
    product_id     UUID NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (promo_code_id, product_id)
);

-- Coupon books made digital: each batch is a number of coupons of one product given to one customer
-- (by SAP, by an admin, or bought in the app); each coupon pays one unit of that product.
CREATE TABLE coupon_batches (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  UUID NOT NULL REFERENCES products (id),
    source      TEXT NOT NULL CHECK (source IN ('sap', 'admin', 'purchase')),
    sap_id      TEXT UNIQUE,
    -- The admin who issued it, or the order that bought it.
    issued_by   UUID,
    note        TEXT,
    expires_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX coupon_batches_by_owner ON coupon_batches (user_id, product_id, expires_at);

-- The ledger: every issue (+), redemption (-), restoration (+) and expiry (-) of coupons, per batch.
-- A balance is the sum of deltas; nothing else stores it.
CREATE TABLE coupon_ledger (
    id          UUID PRIMARY KEY,
    batch_id    UUID NOT NULL REFERENCES coupon_batches (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  UUID NOT NULL REFERENCES products (id),
    kind        TEXT NOT NULL CHECK (kind IN ('issued', 'redeemed', 'restored', 'expired')),
    delta       INTEGER NOT NULL CHECK (delta <> 0),
    order_id    UUID,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX coupon_ledger_by_owner ON coupon_ledger (user_id, created_at, id);
CREATE INDEX coupon_ledger_by_batch ON coupon_ledger (batch_id);
CREATE INDEX coupon_ledger_by_order ON coupon_ledger (order_id);

CREATE SEQUENCE order_numbers START 100001;

CREATE TABLE orders (
    id                      UUID PRIMARY KEY,
    -- What customers and support read out: 100001, 100002, ...
    number                  BIGINT NOT NULL UNIQUE,
    sap_id                  TEXT UNIQUE,
    user_id                 UUID NOT NULL REFERENCES users (id),
    status                  TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'confirmed', 'out_for_delivery',
                                'delivered', 'cancelled', 'payment_failed', 'refunded')),
    payment_method          TEXT NOT NULL CHECK (payment_method IN ('card', 'knet', 'cash', 'none')),
    currency                TEXT NOT NULL,
    sub_total               BIGINT NOT NULL,
    promotion_discount      BIGINT NOT NULL,
    order_discount          BIGINT NOT NULL,
    order_discount_bp       INTEGER NOT NULL,
    delivery_fee            BIGINT NOT NULL,
    tax_rate_bp             INTEGER NOT NULL,
    tax_total               BIGINT NOT NULL,
    net_amount              BIGINT NOT NULL CHECK (net_amount >= 0),
    coupon_credit           BIGINT NOT NULL CHECK (coupon_credit >= 0),
    amount_to_pay           BIGINT NOT NULL CHECK (amount_to_pay >= 0),
    promo_code_id           UUID REFERENCES promo_codes (id),
    promo_code              TEXT,
    -- Delivered to one of the customer's addresses (copied here, the address may change) or to a mosque.
    delivery_kind           TEXT NOT NULL CHECK (delivery_kind IN ('address', 'mosque')),
    address_id              UUID,
    address                 TEXT,
    mosque_id               UUID REFERENCES mosques (id),
    dedication              TEXT,
    area_id                 UUID NOT NULL REFERENCES delivery_areas (id),
    slot_id                 UUID NOT NULL REFERENCES delivery_slots (id),
    delivery_date           DATE NOT NULL,
    slot_starts_minute      INTEGER NOT NULL,
    slot_ends_minute        INTEGER NOT NULL,
    comment                 TEXT,
    -- Raised on every change; SAP's updates carry the version they saw.
    version                 BIGINT NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    CHECK ((delivery_kind = 'address' AND address IS NOT NULL AND mosque_id IS NULL)
        OR (delivery_kind = 'mosque' AND mosque_id IS NOT NULL AND address IS NULL))
);
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id);
CREATE INDEX orders_by_status ON orders (status, created_at);
CREATE INDEX orders_by_time ON orders (created_at, id);

CREATE TABLE order_lines (
    order_id              UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no               INTEGER NOT NULL,
    product_id            UUID NOT NULL REFERENCES products (id),
    product_sap_id        TEXT,
    title_ar              TEXT NOT NULL,
    title_en              TEXT NOT NULL,
    quantity              INTEGER NOT NULL CHECK (quantity > 0),
    free_quantity         INTEGER NOT NULL CHECK (free_quantity >= 0),
    coupons               INTEGER NOT NULL CHECK (coupons >= 0 AND coupons <= quantity),
    unit_price            BIGINT NOT NULL,
    gross                 BIGINT NOT NULL,
    promotion_id          UUID,
    promotion_discount    BIGINT NOT NULL,
    order_discount_share  BIGINT NOT NULL,
    discount_bp           INTEGER NOT NULL,
    line_total            BIGINT NOT NULL,
    taxable_amount        BIGINT NOT NULL,
    tax                   BIGINT NOT NULL,
    coupon_credit         BIGINT NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

-- Every move of an order through its lifecycle: who, when, from, to, why.
CREATE TABLE order_events (
    id           UUID PRIMARY KEY,
    order_id     UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('customer', 'admin', 'sap', 'payment_provider', 'system')),
    actor_id     TEXT,
    reason       TEXT,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_events_by_order ON order_events (order_id, created_at, id);

-- Checkout idempotency: the first answer to (customer, key), replayed for the same request, refused for
-- another. Kept at least 24 hours.
CREATE TABLE idempotency_keys (
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    order_id       UUID REFERENCES orders (id) ON DELETE CASCADE,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Attempts to pay an order through the payment provider; the provider's word is what counts.
CREATE TABLE payments (
    id            UUID PRIMARY KEY,
    order_id      UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    provider      TEXT NOT NULL,
    method        TEXT NOT NULL,
    charge_id     TEXT UNIQUE,
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL,
    payment_url   TEXT,
    last_error    TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    checked_at    TIMESTAMPTZ
);
CREATE INDEX payments_by_order ON payments (order_id, created_at);
CREATE INDEX payments_by_status ON payments (status, created_at);

CREATE TABLE refunds (
    id                  UUID PRIMARY KEY,
    order_id            UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    payment_id          UUID NOT NULL REFERENCES payments (id),
    provider_refund_id  TEXT,
    amount_minor        BIGINT NOT NULL CHECK (amount_minor > 0),
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL,
    last_error          TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (payment_id)
);

-- The built-in payment sandbox's charges (the embedded default instead of Tap); shared by every API
-- instance and the worker through the database.
CREATE TABLE sandbox_charges (
    id               TEXT PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    order_reference  TEXT NOT NULL,
    amount_minor     BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    status           TEXT NOT NULL,
    refunded_minor   BIGINT NOT NULL DEFAULT 0,
    post_url         TEXT NOT NULL,
    redirect_url     TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- The change feed SAP reads: one row per create/update/delete of a shared entity, written in the same
-- transaction as the change. `seq` orders them.
CREATE TABLE changes (
    seq           BIGSERIAL PRIMARY KEY,
    id            UUID NOT NULL UNIQUE,
    entity        TEXT NOT NULL,
    entity_id     UUID NOT NULL,
    operation     TEXT NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
    data          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    is_completed  BOOLEAN NOT NULL DEFAULT FALSE,
    completed_at  TIMESTAMPTZ
);
CREATE INDEX changes_pending ON changes (is_completed, seq);
CREATE INDEX changes_by_entity ON changes (entity, entity_id, seq);

-- Side effects that leave the process (pushes, refunds, ...), written in the transaction that caused
-- them and delivered by the sync-worker with retries. `dedupe_key` makes one event one row.
CREATE TABLE outbox (
    id             UUID PRIMARY KEY,
    topic          TEXT NOT NULL,
    dedupe_key     TEXT NOT NULL UNIQUE,
    payload        TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    available_at   TIMESTAMPTZ NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    claimed_until  TIMESTAMPTZ,
    done_at        TIMESTAMPTZ,
    dead_at        TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (topic, done_at, dead_at, available_at);
