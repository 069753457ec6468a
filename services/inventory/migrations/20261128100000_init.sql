-- Inventory: stores, stock per (store, product), the movement ledger, transfers,
-- reservations of the order saga, and a local projection of the catalog's products.
-- Constraint names are explicit so handlers can map violations to errors naming the field.

CREATE TABLE stores (
    id          uuid        PRIMARY KEY,
    code        text        NOT NULL,
    name        text        NOT NULL,
    line1       text        NOT NULL,
    line2       text        NULL,
    city        text        NOT NULL,
    postal_code text        NOT NULL,
    country     text        NOT NULL,
    timezone    text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz NULL,
    CONSTRAINT stores_code_key UNIQUE (code),
    CONSTRAINT stores_code_check CHECK (code ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' AND char_length(code) <= 32),
    CONSTRAINT stores_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT stores_country_check CHECK (country ~ '^[A-Z]{2}$'),
    CONSTRAINT stores_status_check CHECK (status IN ('open', 'closed')),
    CONSTRAINT stores_closed_at_check CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX stores_created_at_idx ON stores (created_at, id);

-- What inventory knows of the catalog's products (fed by product.* events). A row may be
-- created minimal (only the id) when an admin stocks a product the projection has not
-- heard of yet; the next product event fills it in. `deleted` is sticky: the catalog never
-- reuses a product id.
CREATE TABLE products (
    product_id  uuid        PRIMARY KEY,
    sku         text        NULL,
    name        text        NULL,
    category_id uuid        NULL,
    active      boolean     NOT NULL DEFAULT true,
    deleted     boolean     NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_category_id_idx ON products (category_id);

CREATE TABLE stock (
    store_id      uuid        NOT NULL,
    product_id    uuid        NOT NULL,
    on_hand       bigint      NOT NULL DEFAULT 0,
    reserved      bigint      NOT NULL DEFAULT 0,
    min_stock     bigint      NOT NULL DEFAULT 0,
    -- Whether the item is currently below its minimum, so inventory.low_stock fires once per
    -- crossing and re-arms when stock rises back.
    below_minimum boolean     NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stock_pkey PRIMARY KEY (store_id, product_id),
    CONSTRAINT stock_store_fkey FOREIGN KEY (store_id) REFERENCES stores (id),
    CONSTRAINT stock_product_fkey FOREIGN KEY (product_id) REFERENCES products (product_id),
    -- The last line of defence: the application checks first, these make a bug an error
    -- instead of lost or invented units.
    CONSTRAINT stock_on_hand_check CHECK (on_hand >= 0),
    CONSTRAINT stock_reserved_check CHECK (reserved >= 0),
    CONSTRAINT stock_reserved_on_hand_check CHECK (reserved <= on_hand),
    CONSTRAINT stock_min_stock_check CHECK (min_stock >= 0)
);
CREATE INDEX stock_product_id_idx ON stock (product_id);
CREATE INDEX stock_below_idx ON stock (store_id) WHERE on_hand - reserved < min_stock;

CREATE TABLE transfers (
    id            uuid        PRIMARY KEY,
    from_store_id uuid        NOT NULL REFERENCES stores (id),
    to_store_id   uuid        NOT NULL REFERENCES stores (id),
    product_id    uuid        NOT NULL REFERENCES products (product_id),
    quantity      bigint      NOT NULL,
    reason        text        NOT NULL DEFAULT '',
    actor_id      uuid        NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT transfers_distinct_stores_check CHECK (from_store_id <> to_store_id),
    CONSTRAINT transfers_quantity_check CHECK (quantity > 0)
);
CREATE INDEX transfers_created_at_idx ON transfers (created_at, id);

-- The immutable ledger: one row per change of a stock row's on-hand quantity or minimum.
CREATE TABLE movements (
    id             uuid        PRIMARY KEY,
    store_id       uuid        NOT NULL REFERENCES stores (id),
    product_id     uuid        NOT NULL REFERENCES products (product_id),
    kind           text        NOT NULL,
    delta          bigint      NOT NULL,
    on_hand_after  bigint      NOT NULL,
    reason         text        NOT NULL,
    actor_id       uuid        NULL,
    order_id       uuid        NULL,
    transfer_id    uuid        NULL REFERENCES transfers (id),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT movements_kind_check CHECK (kind IN ('set', 'adjustment', 'transfer_out', 'transfer_in', 'sale')),
    CONSTRAINT movements_on_hand_after_check CHECK (on_hand_after >= 0)
);
CREATE INDEX movements_store_created_idx ON movements (store_id, created_at DESC, id);
CREATE INDEX movements_product_created_idx ON movements (product_id, created_at DESC, id);
CREATE INDEX movements_created_idx ON movements (created_at DESC, id);

-- Immutability is enforced by the database, not only by the absence of an endpoint.
CREATE FUNCTION movements_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'movements are immutable' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER movements_immutable BEFORE UPDATE OR DELETE ON movements
    FOR EACH ROW EXECUTE FUNCTION movements_immutable();

-- Stock held for orders of the saga, one row per (order, product).
CREATE TABLE reservations (
    order_id   uuid        NOT NULL,
    product_id uuid        NOT NULL REFERENCES products (product_id),
    store_id   uuid        NOT NULL REFERENCES stores (id),
    quantity   bigint      NOT NULL,
    status     text        NOT NULL DEFAULT 'held',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reservations_pkey PRIMARY KEY (order_id, product_id),
    CONSTRAINT reservations_quantity_check CHECK (quantity > 0),
    CONSTRAINT reservations_status_check CHECK (status IN ('held', 'released', 'committed'))
);
