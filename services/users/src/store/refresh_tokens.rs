//! The `refresh_tokens` table (hashes only, never the tokens).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A stored refresh token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredToken {
    /// Row id (what `replaced_by` points at).
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// The login this token descends from.
    pub family_id: Uuid,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When it was rotated, logged out or revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a new token's hash.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    token_hash: &[u8],
    user_id: Uuid,
    family_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO refresh_tokens (id, token_hash, user_id, family_id, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(token_hash)
    .bind(user_id)
    .bind(family_id)
    .bind(expires_at)
    .execute(conn)
    .await
    .map(drop)
}

/// The token with `token_hash`, locked until the transaction ends so that two
/// refreshes with the same token cannot both succeed.
pub async fn find_for_update(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> Result<Option<StoredToken>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_id, family_id, expires_at, revoked_at FROM refresh_tokens \
         WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// Revokes `id` and records its successor.
pub async fn rotate(
    conn: &mut PgConnection,
    id: Uuid,
    replaced_by: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1")
        .bind(id)
        .bind(replaced_by)
        .execute(conn)
        .await
        .map(drop)
}

/// Revokes every live token of a family; returns how many.
pub async fn revoke_family(conn: &mut PgConnection, family_id: Uuid) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() \
         WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}

/// Revokes every live token of a user (after a password change).
pub async fn revoke_user(conn: &mut PgConnection, user_id: Uuid) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() \
         WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}

/// Deletes a user's expired tokens. Only expired ones: a revoked but
/// unexpired token must stay, so that its reuse is still recognised as theft.
pub async fn prune_expired(conn: &mut PgConnection, user_id: Uuid) -> Result<u64, sqlx::Error> {
    sqlx::query("DELETE FROM refresh_tokens WHERE user_id = $1 AND expires_at < now()")
        .bind(user_id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
}
