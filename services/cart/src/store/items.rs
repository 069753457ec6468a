//! SQL of cart items.

use chrono::{DateTime, Utc};
use kit::money::Money;
use sqlx::PgExecutor;
use uuid::Uuid;

const COLUMNS: &str =
    "product_id, sku, name, quantity, unit_price_amount, currency, available, added_at";

/// A cart item as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    /// Product.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Quantity.
    pub quantity: i32,
    /// Unit price, minor units.
    pub unit_price_amount: i64,
    /// Currency.
    pub currency: String,
    /// Still on sale.
    pub available: bool,
    /// First added.
    pub added_at: DateTime<Utc>,
}

/// What an item captures of a product.
#[derive(Debug, Clone)]
pub struct Captured<'a> {
    /// Product.
    pub product_id: Uuid,
    /// SKU.
    pub sku: &'a str,
    /// Name.
    pub name: &'a str,
    /// Unit price.
    pub unit_price: &'a Money,
}

/// The items of a cart, oldest first.
pub async fn list(db: impl PgExecutor<'_>, cart_id: Uuid) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cart_items WHERE cart_id = $1 ORDER BY added_at, product_id"
    ))
    .bind(cart_id)
    .fetch_all(db)
    .await
}

/// Puts `quantity` of a product in the cart, refreshing what was captured of it.
pub async fn upsert(
    db: impl PgExecutor<'_>,
    cart_id: Uuid,
    product: &Captured<'_>,
    quantity: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cart_items (cart_id, product_id, sku, name, quantity, unit_price_amount, \
             currency, available) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE) \
         ON CONFLICT ON CONSTRAINT cart_items_pkey DO UPDATE SET sku = EXCLUDED.sku, \
             name = EXCLUDED.name, quantity = EXCLUDED.quantity, \
             unit_price_amount = EXCLUDED.unit_price_amount, currency = EXCLUDED.currency, \
             available = TRUE, updated_at = now()",
    )
    .bind(cart_id)
    .bind(product.product_id)
    .bind(product.sku)
    .bind(product.name)
    .bind(quantity)
    .bind(product.unit_price.amount)
    .bind(&product.unit_price.currency)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets an item's quantity; false when the cart holds no such product.
pub async fn set_quantity(
    db: impl PgExecutor<'_>,
    cart_id: Uuid,
    product_id: Uuid,
    quantity: i32,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE cart_items SET quantity = $3, updated_at = now() \
         WHERE cart_id = $1 AND product_id = $2",
    )
    .bind(cart_id)
    .bind(product_id)
    .bind(quantity)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes an item; false when the cart holds no such product.
pub async fn remove(
    db: impl PgExecutor<'_>,
    cart_id: Uuid,
    product_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM cart_items WHERE cart_id = $1 AND product_id = $2")
        .bind(cart_id)
        .bind(product_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes every item of a cart.
pub async fn clear(db: impl PgExecutor<'_>, cart_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM cart_items WHERE cart_id = $1")
        .bind(cart_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Refreshes a product in every open cart: the cart shows, and checks out at, the
/// catalog's current price. Returns how many items changed.
pub async fn refresh_product(
    db: impl PgExecutor<'_>,
    product: &Captured<'_>,
    active: bool,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE cart_items i SET sku = $2, name = $3, unit_price_amount = $4, currency = $5, \
             available = $6, updated_at = now() \
         FROM carts c WHERE c.id = i.cart_id AND c.status = 'open' AND i.product_id = $1",
    )
    .bind(product.product_id)
    .bind(product.sku)
    .bind(product.name)
    .bind(product.unit_price.amount)
    .bind(&product.unit_price.currency)
    .bind(active)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Flags a product unavailable in every open cart. Returns how many items changed.
pub async fn mark_unavailable(
    db: impl PgExecutor<'_>,
    product_id: Uuid,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE cart_items i SET available = FALSE, updated_at = now() \
         FROM carts c WHERE c.id = i.cart_id AND c.status = 'open' AND i.product_id = $1",
    )
    .bind(product_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
