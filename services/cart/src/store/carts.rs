//! SQL of carts.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

const COLUMNS: &str = "id, user_id, created_at, updated_at";

/// An open cart as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CartRow {
    /// Id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A checkout recorded under an idempotency key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckoutRow {
    /// The order the cart became.
    pub order_id: Uuid,
    /// The store it was checked out to.
    pub store_id: Uuid,
}

/// The user's open cart, locked until the end of the transaction.
pub async fn open_for_update(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Option<CartRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM carts WHERE user_id = $1 AND status = 'open' FOR UPDATE"
    ))
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Creates the user's open cart unless one exists (the partial unique index decides
/// races); `None` when another transaction created it first.
pub async fn create_open(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Option<CartRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO carts (id, user_id) VALUES ($1, $2) \
         ON CONFLICT (user_id) WHERE status = 'open' DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Marks the cart as changed now.
pub async fn touch(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE carts SET updated_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Serializes checkouts of one user for the rest of the transaction, so two requests
/// with the same idempotency key cannot both check out.
pub async fn lock_user(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<(), sqlx::Error> {
    kit::sql::advisory_xact_lock(db, "cart.checkout", user_id).await
}

/// The checkout the user already made with `key`, if any.
pub async fn checkout_by_key(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    key: &str,
) -> Result<Option<CheckoutRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT order_id, store_id FROM carts \
         WHERE user_id = $1 AND checkout_key = $2 AND status = 'checked_out'",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Closes the open cart as checked out into `order_id`; the next use opens a new one.
pub async fn check_out(
    db: impl PgExecutor<'_>,
    id: Uuid,
    order_id: Uuid,
    store_id: Uuid,
    key: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE carts SET status = 'checked_out', order_id = $2, store_id = $3, \
             checkout_key = $4, checked_out_at = now(), updated_at = now() \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(order_id)
    .bind(store_id)
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}

/// The user's open cart, locked, created first if there is none; `true` when it was
/// just created (the caller then announces `cart.created` in the same transaction).
pub async fn open_or_create(
    conn: &mut sqlx::PgConnection,
    user_id: Uuid,
) -> Result<(CartRow, bool), sqlx::Error> {
    if let Some(cart) = open_for_update(&mut *conn, user_id).await? {
        return Ok((cart, false));
    }
    if let Some(cart) = create_open(&mut *conn, user_id).await? {
        return Ok((cart, true));
    }
    // Another request created it between the two statements; it is committed now.
    let cart = open_for_update(&mut *conn, user_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok((cart, false))
}
