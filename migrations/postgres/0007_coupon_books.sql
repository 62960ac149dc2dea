-- Coupon books sold in the app: buying one pack of a coupon-book product gives the buyer
-- `coupons_per_pack` coupons of `coupon_product_id`, valid for `validity_days` (or for ever).
-- Coupons bought with an order are issued once per (order, product): the partial index makes a
-- second issue for the same order a conflict.

CREATE TABLE coupon_books (
    product_id         UUID PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    coupon_product_id  UUID NOT NULL REFERENCES products (id),
    coupons_per_pack   INTEGER NOT NULL CHECK (coupons_per_pack BETWEEN 1 AND 1000),
    validity_days      INTEGER CHECK (validity_days BETWEEN 1 AND 3650),
    CHECK (coupon_product_id <> product_id)
);

CREATE UNIQUE INDEX coupon_batches_bought_once ON coupon_batches (issued_by, product_id) WHERE source = 'purchase';
