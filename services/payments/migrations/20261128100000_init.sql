-- Payments: one payment per order, an append-only audit log of its state changes, and
-- saga events that arrived before the order's payment intent.

CREATE TABLE payments (
    id             uuid        PRIMARY KEY,
    order_id       uuid        NOT NULL,
    user_id        uuid        NOT NULL,
    amount         bigint      NOT NULL,
    currency       text        NOT NULL,
    status         text        NOT NULL DEFAULT 'pending',
    decline_reason text        NULL,
    refund_id      uuid        NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- At most one payment, hence at most one charge, per order.
    CONSTRAINT payments_order_key UNIQUE (order_id),
    CONSTRAINT payments_status_check CHECK (status IN
        ('pending', 'completed', 'failed', 'cancelled', 'refunded')),
    CONSTRAINT payments_amount_check CHECK (amount >= 0),
    CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payments_refund_check CHECK ((status = 'refunded') = (refund_id IS NOT NULL))
);
CREATE INDEX payments_created_idx ON payments (created_at DESC, id DESC);
CREATE INDEX payments_user_idx ON payments (user_id, created_at DESC);
CREATE INDEX payments_status_idx ON payments (status);

CREATE TABLE payment_audit (
    id          bigserial   PRIMARY KEY,
    payment_id  uuid        NOT NULL,
    from_status text        NULL,
    to_status   text        NOT NULL,
    -- The event that caused the change.
    event_id    uuid        NULL,
    detail      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT payment_audit_payment_fkey FOREIGN KEY (payment_id) REFERENCES payments (id)
);
CREATE INDEX payment_audit_payment_idx ON payment_audit (payment_id, id);

-- The audit log is append-only, enforced by the database rather than by convention.
CREATE FUNCTION payment_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'payment_audit is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER payment_audit_no_update_or_delete
    BEFORE UPDATE OR DELETE ON payment_audit
    FOR EACH ROW EXECUTE FUNCTION payment_audit_append_only();
CREATE TRIGGER payment_audit_no_truncate
    BEFORE TRUNCATE ON payment_audit
    FOR EACH STATEMENT EXECUTE FUNCTION payment_audit_append_only();

-- inventory.reserved or order.cancelled seen before order.created (they travel different
-- queues): parked here and applied when the payment intent is recorded.
CREATE TABLE parked_events (
    order_id  uuid        NOT NULL,
    kind      text        NOT NULL,
    event_id  uuid        NOT NULL,
    parked_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT parked_events_pkey PRIMARY KEY (order_id, kind),
    CONSTRAINT parked_events_kind_check CHECK (kind IN ('reserved', 'cancelled'))
);
