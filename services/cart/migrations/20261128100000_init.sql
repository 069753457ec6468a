-- Cart: one open cart per user and its items. Constraint names are explicit so the
-- handlers can map violations to errors naming the field (kit::error::ResultExt).

CREATE TABLE carts (
    id             uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL,
    status         text        NOT NULL DEFAULT 'open',
    -- Set at checkout: the order the cart became, where it is to be fulfilled, and the
    -- client's Idempotency-Key (so a retried checkout answers with the same order).
    order_id       uuid        NULL,
    store_id       uuid        NULL,
    checkout_key   text        NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    checked_out_at timestamptz NULL,
    CONSTRAINT carts_status_check CHECK (status IN ('open', 'checked_out')),
    CONSTRAINT carts_checked_out_check CHECK (
        (status = 'open' AND order_id IS NULL AND checked_out_at IS NULL)
        OR (status = 'checked_out' AND order_id IS NOT NULL AND store_id IS NOT NULL
            AND checked_out_at IS NOT NULL)
    ),
    CONSTRAINT carts_order_id_key UNIQUE (order_id),
    CONSTRAINT carts_checkout_key_check CHECK (char_length(checkout_key) BETWEEN 1 AND 255)
);
-- One open cart per user; checked-out carts are kept as history.
CREATE UNIQUE INDEX carts_one_open_per_user ON carts (user_id) WHERE status = 'open';
CREATE UNIQUE INDEX carts_checkout_key_key ON carts (user_id, checkout_key)
    WHERE checkout_key IS NOT NULL;

CREATE TABLE cart_items (
    cart_id           uuid        NOT NULL,
    product_id        uuid        NOT NULL,
    sku               text        NOT NULL,
    name              text        NOT NULL,
    quantity          integer     NOT NULL,
    unit_price_amount bigint      NOT NULL,
    currency          text        NOT NULL,
    -- False once the product was deleted or deactivated in the catalog: the item stays
    -- visible but cannot be checked out.
    available         boolean     NOT NULL DEFAULT TRUE,
    added_at          timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cart_items_pkey PRIMARY KEY (cart_id, product_id),
    CONSTRAINT cart_items_cart_fkey FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE,
    CONSTRAINT cart_items_quantity_check CHECK (quantity BETWEEN 1 AND 99),
    CONSTRAINT cart_items_price_check CHECK (unit_price_amount >= 0),
    CONSTRAINT cart_items_currency_check CHECK (currency ~ '^[A-Z]{3}$')
);
-- Catalog events update one product in every open cart.
CREATE INDEX cart_items_product_id_idx ON cart_items (product_id);
