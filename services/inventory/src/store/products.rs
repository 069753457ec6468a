//! SQL of the local projection of the catalog's products.

use sqlx::PgExecutor;
use uuid::Uuid;

/// What a product event says about a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductInfo {
    /// Id.
    pub product_id: Uuid,
    /// SKU, if given.
    pub sku: Option<String>,
    /// Name, if given.
    pub name: Option<String>,
    /// Category, if given.
    pub category_id: Option<Uuid>,
    /// Whether it is on sale, if given.
    pub active: Option<bool>,
}

/// Whether a product may be reserved (sold): known, active and not deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Sellable {
    /// Id.
    pub product_id: Uuid,
    /// Active and not deleted.
    pub sellable: bool,
}

/// Makes sure a projection row exists (minimal, only the id) so stock can refer to it.
pub async fn ensure(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO products (product_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Records what a `product.created`/`product.updated` says; fields it leaves out keep their
/// value, and a deleted product stays deleted (the catalog never reuses an id).
pub async fn upsert(db: impl PgExecutor<'_>, info: &ProductInfo) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO products (product_id, sku, name, category_id, active) \
         VALUES ($1, $2, $3, $4, COALESCE($5, true)) \
         ON CONFLICT (product_id) DO UPDATE SET \
             sku = COALESCE(EXCLUDED.sku, products.sku), \
             name = COALESCE(EXCLUDED.name, products.name), \
             category_id = COALESCE(EXCLUDED.category_id, products.category_id), \
             active = COALESCE($5, products.active) AND NOT products.deleted, \
             updated_at = now()",
    )
    .bind(info.product_id)
    .bind(&info.sku)
    .bind(&info.name)
    .bind(info.category_id)
    .bind(info.active)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks a product deleted (and inactive): it is no longer reserved or sold; its stock and
/// history stay.
pub async fn mark_deleted(db: impl PgExecutor<'_>, info: &ProductInfo) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO products (product_id, sku, name, category_id, active, deleted) \
         VALUES ($1, $2, $3, $4, false, true) \
         ON CONFLICT (product_id) DO UPDATE SET active = false, deleted = true, \
             updated_at = now()",
    )
    .bind(info.product_id)
    .bind(&info.sku)
    .bind(&info.name)
    .bind(info.category_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Which of `ids` may be sold.
pub async fn sellable(db: impl PgExecutor<'_>, ids: &[Uuid]) -> Result<Vec<Sellable>, sqlx::Error> {
    sqlx::query_as(
        "SELECT product_id, active AND NOT deleted AS sellable FROM products \
         WHERE product_id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(db)
    .await
}
