-- no-transaction
-- The retention job deletes processed-event records by age (kit::events::retention). Built
-- CONCURRENTLY, as the outbox's index, so that consumers keep recording events meanwhile;
-- an interrupted build leaves an INVALID index to drop
-- (DROP INDEX CONCURRENTLY kit.processed_events_age_idx) before migrating again.
CREATE INDEX CONCURRENTLY IF NOT EXISTS processed_events_age_idx
    ON kit.processed_events (processed_at);
