-- PostgreSQL's twin adds a covering index of orders by id for the dashboard's products statement over long
-- ranges. SQLite plans that statement with its own indexes and needs nothing here; this file keeps the
-- migration folders twins.
SELECT 1;
