-- Indexes for keyset pages (oldest first, the id breaking ties) and the text search.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX users_created_idx ON users (created_at, id);
DROP INDEX users_role_created_idx;
CREATE INDEX users_role_created_idx ON users (role, created_at, id);
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
CREATE INDEX users_display_name_trgm_idx ON users USING gin (display_name gin_trgm_ops);
