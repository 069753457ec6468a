//! SQL of the order saga's reservations.

use sqlx::PgExecutor;
use uuid::Uuid;

/// A reservation line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Reservation {
    /// Order.
    pub order_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Units.
    pub quantity: i64,
}

/// Whether any reservation (in any state) exists for `order`: an order is reserved at
/// most once, whatever the number of `order.created` events about it.
pub async fn exists(db: impl PgExecutor<'_>, order: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM reservations WHERE order_id = $1)")
        .bind(order)
        .fetch_one(db)
        .await
}

/// Records a held reservation.
pub async fn insert(db: impl PgExecutor<'_>, r: &Reservation) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reservations (order_id, product_id, store_id, quantity) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(r.order_id)
    .bind(r.product_id)
    .bind(r.store_id)
    .bind(r.quantity)
    .execute(db)
    .await?;
    Ok(())
}

/// Locks the reservations of `order` in state `status`, in product order.
pub async fn lock_in_state(
    db: impl PgExecutor<'_>,
    order: Uuid,
    status: &str,
) -> Result<Vec<Reservation>, sqlx::Error> {
    sqlx::query_as(
        "SELECT order_id, product_id, store_id, quantity FROM reservations \
         WHERE order_id = $1 AND status = $2 ORDER BY product_id FOR UPDATE",
    )
    .bind(order)
    .bind(status)
    .fetch_all(db)
    .await
}

/// Moves every reservation of `order` in state `from` to state `to`.
pub async fn settle(
    db: impl PgExecutor<'_>,
    order: Uuid,
    from: &str,
    to: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE reservations SET status = $3, updated_at = now() \
         WHERE order_id = $1 AND status = $2",
    )
    .bind(order)
    .bind(from)
    .bind(to)
    .execute(db)
    .await?;
    Ok(())
}
