-- Indexes for keyset pages: each sort (newest, oldest, by rating either way) and the
-- product filter are read in index order, the id breaking ties.
DROP INDEX reviews_created_at_idx;
CREATE INDEX reviews_created_at_idx ON reviews (created_at DESC, id DESC);
DROP INDEX reviews_product_id_idx;
CREATE INDEX reviews_product_id_idx ON reviews (product_id, created_at DESC, id DESC);
CREATE INDEX reviews_rating_asc_idx ON reviews (rating, created_at DESC, id DESC);
CREATE INDEX reviews_rating_desc_idx ON reviews (rating DESC, created_at DESC, id DESC);
