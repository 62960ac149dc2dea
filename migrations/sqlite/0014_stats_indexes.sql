-- The business dashboard (GET /api/admin/stats) aggregates a range of orders by creation time. This index
-- holds every column those statements read (a covering index), so a year of orders is read from the index
-- alone instead of the whole, wide orders table; `id` is there for the join to the lines.
CREATE INDEX orders_for_stats ON orders (created_at, status, area_id, amount_to_pay, id);
-- New customers per day: verified customer accounts by registration time.
CREATE INDEX users_new_customers ON users (created_at) WHERE role = 'customer' AND verified_at IS NOT NULL;
-- Products sold: the lines of the orders in range, read from this index alone (no table row per line).
CREATE INDEX order_lines_for_stats ON order_lines (order_id, product_id, quantity, line_total);
