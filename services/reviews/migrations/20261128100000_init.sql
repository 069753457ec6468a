-- Reviews: one review per user per product, and the purchases that make a review
-- verified. Constraint names are explicit so the handlers can map violations to errors
-- naming the field (kit::error::ResultExt).

CREATE TABLE reviews (
    id         uuid        PRIMARY KEY,
    product_id uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    rating     smallint    NOT NULL,
    title      text        NOT NULL,
    body       text        NOT NULL DEFAULT '',
    verified   boolean     NOT NULL DEFAULT FALSE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reviews_user_product_key UNIQUE (user_id, product_id),
    CONSTRAINT reviews_rating_check CHECK (rating BETWEEN 1 AND 5),
    CONSTRAINT reviews_title_check CHECK (char_length(title) BETWEEN 1 AND 120),
    CONSTRAINT reviews_body_check CHECK (char_length(body) <= 5000)
);
CREATE INDEX reviews_product_id_idx ON reviews (product_id, created_at DESC);
CREATE INDEX reviews_created_at_idx ON reviews (created_at DESC);

-- Projection of paid orders: who bought what (first paid order wins).
CREATE TABLE purchases (
    user_id      uuid        NOT NULL,
    product_id   uuid        NOT NULL,
    order_id     uuid        NOT NULL,
    purchased_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT purchases_pkey PRIMARY KEY (user_id, product_id)
);
CREATE INDEX purchases_product_id_idx ON purchases (product_id);
