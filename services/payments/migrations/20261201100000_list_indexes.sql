-- A customer's payments are listed newest first, the id breaking ties.
DROP INDEX payments_user_idx;
CREATE INDEX payments_user_idx ON payments (user_id, created_at DESC, id DESC);
