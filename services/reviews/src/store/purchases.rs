//! SQL of the purchases projection (who bought what, from `order.paid`).

use sqlx::PgExecutor;
use uuid::Uuid;

/// Whether `user_id` has a paid order containing `product_id`.
pub async fn exists(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    product_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM purchases WHERE user_id = $1 AND product_id = $2)",
    )
    .bind(user_id)
    .bind(product_id)
    .fetch_one(db)
    .await
}

/// Records that `user_id` bought each of `products` in `order_id` (the first paid order
/// of a product is kept).
pub async fn record(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    order_id: Uuid,
    products: &[Uuid],
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO purchases (user_id, product_id, order_id) \
         SELECT $1, p, $2 FROM unnest($3::uuid[]) AS p \
         ON CONFLICT ON CONSTRAINT purchases_pkey DO NOTHING",
    )
    .bind(user_id)
    .bind(order_id)
    .bind(products)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Forgets every purchase of a product.
pub async fn delete_product(db: impl PgExecutor<'_>, product_id: Uuid) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM purchases WHERE product_id = $1")
        .bind(product_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
