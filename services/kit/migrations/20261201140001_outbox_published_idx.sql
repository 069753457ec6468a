-- no-transaction
-- The retention job deletes published rows by age (kit::events::retention). Built
-- CONCURRENTLY because the outbox of an existing store may be large and is written in the
-- same transaction as every state change: a plain CREATE INDEX would block those writes for
-- the whole build. (CONCURRENTLY cannot run in a transaction, hence one statement per file.)
-- Should the build be interrupted, PostgreSQL leaves an INVALID index behind that IF NOT
-- EXISTS would keep: drop it (DROP INDEX CONCURRENTLY kit.outbox_published_idx) and migrate
-- again.
CREATE INDEX CONCURRENTLY IF NOT EXISTS outbox_published_idx
    ON kit.outbox (published_at)
    WHERE published_at IS NOT NULL;
