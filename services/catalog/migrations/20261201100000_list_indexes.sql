-- Indexes for keyset pages and text search: every documented sort is read in index
-- order from the cursor on, and `q` (ILIKE '%text%') is answered by trigram indexes
-- instead of reading every row. pg_trgm is a trusted extension: the database owner
-- may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_description_trgm_idx ON products USING gin (description gin_trgm_ops);
CREATE INDEX products_sku_trgm_idx ON products USING gin (sku gin_trgm_ops);

CREATE INDEX pets_name_trgm_idx ON pets USING gin (name gin_trgm_ops);
CREATE INDEX pets_species_trgm_idx ON pets USING gin (species gin_trgm_ops);
CREATE INDEX pets_breed_trgm_idx ON pets USING gin (breed gin_trgm_ops);
