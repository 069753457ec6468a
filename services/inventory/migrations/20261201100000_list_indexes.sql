-- Indexes for keyset pages and text search (see catalog's migration of the same name).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A store's stock is listed by SKU (NULLs last), then product id.
CREATE INDEX products_sku_idx ON products (sku, product_id);
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_sku_trgm_idx ON products USING gin (sku gin_trgm_ops);

-- Alerts: the largest shortfall first, among the items below their minimum only.
CREATE INDEX stock_alerts_idx ON stock ((min_stock - (on_hand - reserved)) DESC, store_id, product_id)
    WHERE on_hand - reserved < min_stock;

CREATE INDEX stores_code_trgm_idx ON stores USING gin (code gin_trgm_ops);
CREATE INDEX stores_name_trgm_idx ON stores USING gin (name gin_trgm_ops);
CREATE INDEX stores_city_trgm_idx ON stores USING gin (city gin_trgm_ops);
