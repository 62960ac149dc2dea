-- The push queue and the feed read only unfinished changes. Without these indexes every pass walked the
-- whole completed history (growing with every change ever made), and PostgreSQL picked a slow plan for
-- the dead-letter check before its first ANALYZE of a freshly filled table.
CREATE INDEX changes_unfinished ON changes (seq) WHERE NOT is_completed;
CREATE INDEX changes_dead_by_entity ON changes (entity, entity_id, seq) WHERE dead_at IS NOT NULL AND NOT is_completed;
