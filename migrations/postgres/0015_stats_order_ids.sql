-- The dashboard's products statement over a long range (GET /api/admin/stats for a year) merges the orders
-- in id order with their lines (order_lines_for_stats, 0014), both read from indexes alone, instead of hashing
-- every order: this index gives the orders in id order with the columns that statement filters on.
CREATE INDEX orders_by_id_for_stats ON orders (id) INCLUDE (created_at, status);
