-- Access tokens of a user issued at or before `not_before` are refused: written when the
-- user's role changes (event user.role_changed), read by every replica of the service.
CREATE TABLE IF NOT EXISTS kit.revocations (
    user_id    uuid        PRIMARY KEY,
    not_before timestamptz NOT NULL
);
