-- Event plumbing shared by every service (kit::events). Names are schema-qualified so the
-- migration is correct whatever search_path the migrator runs with.
CREATE SCHEMA IF NOT EXISTS kit;

-- Transactional outbox: rows are written in the same transaction as the state change they
-- announce and published later by the relay.
CREATE TABLE IF NOT EXISTS kit.outbox (
    id           uuid        PRIMARY KEY,
    event_type   text        NOT NULL,
    envelope     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz NULL
);

-- The relay only ever scans unsent rows in creation order; keeping them in a small partial
-- index keeps that scan cheap however large the published history grows.
CREATE INDEX IF NOT EXISTS outbox_unsent_idx
    ON kit.outbox (created_at)
    WHERE published_at IS NULL;

-- Idempotent consumers: an event id is recorded in the same transaction as its effect.
CREATE TABLE IF NOT EXISTS kit.processed_events (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
