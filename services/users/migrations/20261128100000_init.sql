-- Accounts. Emails are stored normalized (trimmed, lower-cased), so the unique
-- constraint is also case-insensitive.
CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    email         text        NOT NULL,
    display_name  text        NOT NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL DEFAULT 'customer',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_normalized_check CHECK (email = lower(btrim(email)) AND char_length(email) <= 254),
    CONSTRAINT users_display_name_check CHECK (char_length(btrim(display_name)) BETWEEN 1 AND 100),
    CONSTRAINT users_role_check CHECK (role IN ('customer', 'admin'))
);

-- Admin listing filters by role and orders by creation.
CREATE INDEX users_role_created_idx ON users (role, created_at);

-- Refresh tokens, stored only as SHA-256 hashes. Every login starts a family;
-- each refresh revokes the presented token and issues its successor in the
-- same family, so a reused (already rotated) token can revoke the whole chain.
CREATE TABLE refresh_tokens (
    id          uuid        PRIMARY KEY,
    token_hash  bytea       NOT NULL,
    user_id     uuid        NOT NULL,
    family_id   uuid        NOT NULL,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NULL,
    replaced_by uuid        NULL,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT refresh_tokens_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT refresh_tokens_replaced_by_fkey FOREIGN KEY (replaced_by) REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    CONSTRAINT refresh_tokens_hash_length_check CHECK (octet_length(token_hash) = 32),
    CONSTRAINT refresh_tokens_expiry_check CHECK (expires_at > issued_at)
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Failed logins per (normalized) email, in the database so that every replica
-- sees the same counters. Unknown emails are counted too, so the lockout does
-- not reveal which addresses have accounts.
CREATE TABLE login_failures (
    email             text        PRIMARY KEY,
    failures          integer     NOT NULL,
    window_started_at timestamptz NOT NULL,
    locked_until      timestamptz NULL,
    CONSTRAINT login_failures_failures_check CHECK (failures >= 1)
);
