-- Orders: orders, their lines (prices captured at creation), status history and shipments.
-- Constraint names are explicit so the handlers can map violations (kit::error::ResultExt).

CREATE TABLE orders (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL,
    store_id        uuid        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending',
    total_amount    bigint      NOT NULL,
    currency        text        NOT NULL,
    -- 'api' (POST /api/orders) or 'checkout' (cart.checked_out).
    source          text        NOT NULL,
    cart_id         uuid        NULL,
    -- Scoped per user: the same key of the same user names the same order, never two.
    idempotency_key text        NULL,
    payment_id      uuid        NULL,
    -- Why the order last failed or was cancelled.
    status_reason   text        NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_user_idempotency_key UNIQUE (user_id, idempotency_key),
    CONSTRAINT orders_status_check CHECK (status IN
        ('pending', 'reserved', 'paid', 'shipped', 'delivered', 'failed', 'cancelled')),
    CONSTRAINT orders_total_check CHECK (total_amount >= 0),
    CONSTRAINT orders_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT orders_source_check CHECK (source IN ('api', 'checkout')),
    CONSTRAINT orders_idempotency_key_check CHECK
        (idempotency_key IS NULL OR idempotency_key ~ '^[!-~]{1,255}$')
);
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC);
CREATE INDEX orders_status_idx ON orders (status);

CREATE TABLE order_lines (
    order_id          uuid   NOT NULL,
    position          int    NOT NULL,
    product_id        uuid   NOT NULL,
    pet_id            uuid   NULL,
    sku               text   NOT NULL,
    name              text   NOT NULL,
    quantity          bigint NOT NULL,
    unit_price_amount bigint NOT NULL,
    currency          text   NOT NULL,
    CONSTRAINT order_lines_pkey PRIMARY KEY (order_id, position),
    CONSTRAINT order_lines_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT order_lines_quantity_check CHECK (quantity >= 1),
    CONSTRAINT order_lines_price_check CHECK (unit_price_amount >= 0),
    CONSTRAINT order_lines_currency_check CHECK (currency ~ '^[A-Z]{3}$')
);

CREATE TABLE order_status_history (
    id          bigserial   PRIMARY KEY,
    order_id    uuid        NOT NULL,
    from_status text        NULL,
    to_status   text        NOT NULL,
    reason      text        NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT order_status_history_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
);
CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, id);

CREATE TABLE shipments (
    order_id        uuid        PRIMARY KEY,
    carrier         text        NOT NULL,
    tracking_number text        NOT NULL,
    shipped_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz NULL,
    CONSTRAINT shipments_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT shipments_carrier_check CHECK (char_length(carrier) BETWEEN 1 AND 100),
    CONSTRAINT shipments_tracking_check CHECK (char_length(tracking_number) BETWEEN 1 AND 100)
);
