-- Deferred events (kit::events::Outbox::enqueue_deferred): a fallback that is published only
-- if it was not withdrawn by then. Nullable without a default, so adding it rewrites
-- nothing; NULL means "publish at once", as every row before it.
ALTER TABLE kit.outbox ADD COLUMN IF NOT EXISTS not_before timestamptz NULL;
