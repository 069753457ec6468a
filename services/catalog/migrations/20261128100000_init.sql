-- Catalog: categories (a tree), products and pets. Constraint names are explicit so the
-- handlers can map violations to errors naming the field (kit::error::ResultExt).

CREATE TABLE categories (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    slug       text        NOT NULL,
    parent_id  uuid        NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_slug_key UNIQUE (slug),
    CONSTRAINT categories_parent_fkey FOREIGN KEY (parent_id) REFERENCES categories (id),
    CONSTRAINT categories_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT categories_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 100),
    CONSTRAINT categories_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX categories_parent_id_idx ON categories (parent_id);
CREATE INDEX categories_created_at_idx ON categories (created_at, id);

CREATE TABLE products (
    id           uuid        PRIMARY KEY,
    sku          text        NOT NULL,
    name         text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    category_id  uuid        NOT NULL,
    price_amount bigint      NOT NULL,
    currency     text        NOT NULL,
    attributes   jsonb       NOT NULL DEFAULT '{}',
    weight_grams bigint      NULL,
    active       boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_sku_key UNIQUE (sku),
    CONSTRAINT products_category_fkey FOREIGN KEY (category_id) REFERENCES categories (id),
    CONSTRAINT products_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT products_description_check CHECK (char_length(description) <= 5000),
    CONSTRAINT products_price_check CHECK (price_amount >= 0),
    CONSTRAINT products_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT products_attributes_check CHECK (jsonb_typeof(attributes) = 'object'),
    CONSTRAINT products_weight_check CHECK (weight_grams IS NULL OR weight_grams >= 0)
);
-- One index per filter and sort of GET /api/products; `id` breaks ties so that paging is
-- stable and the planner can walk the index for ORDER BY ... LIMIT.
CREATE INDEX products_category_id_idx ON products (category_id);
CREATE INDEX products_price_idx ON products (price_amount, id);
CREATE INDEX products_created_at_idx ON products (created_at, id);
CREATE INDEX products_lower_name_idx ON products (lower(name), id);

CREATE TABLE pets (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL,
    species      text        NOT NULL,
    breed        text        NULL,
    birth_date   date        NULL,
    category_id  uuid        NOT NULL,
    tags         text[]      NOT NULL DEFAULT '{}',
    photo_urls   text[]      NOT NULL DEFAULT '{}',
    status       text        NOT NULL DEFAULT 'available',
    price_amount bigint      NOT NULL,
    currency     text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pets_category_fkey FOREIGN KEY (category_id) REFERENCES categories (id),
    CONSTRAINT pets_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT pets_species_check CHECK (char_length(species) BETWEEN 1 AND 50),
    CONSTRAINT pets_status_check CHECK (status IN ('available', 'pending', 'sold')),
    CONSTRAINT pets_price_check CHECK (price_amount >= 0),
    CONSTRAINT pets_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT pets_tags_check CHECK (cardinality(tags) <= 20),
    CONSTRAINT pets_photo_urls_check CHECK (cardinality(photo_urls) <= 10)
);
CREATE INDEX pets_category_id_idx ON pets (category_id);
CREATE INDEX pets_status_idx ON pets (status);
CREATE INDEX pets_lower_species_idx ON pets (lower(species));
CREATE INDEX pets_price_idx ON pets (price_amount, id);
CREATE INDEX pets_created_at_idx ON pets (created_at, id);
CREATE INDEX pets_lower_name_idx ON pets (lower(name), id);
-- `tags @> ARRAY[...]` (pets having all given tags) is answered by a GIN index.
CREATE INDEX pets_tags_idx ON pets USING gin (tags);
