//! SQL of products.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kit::pagination::{Page, PageOf};
use kit::record::{self, Record};
use kit::sql::ListError;
use sqlx::types::Json;
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{Listing, contains_pattern, push_category_subtree, sort_keys};
use crate::domain::Money;
use crate::domain::product::{Product, ProductFields, ProductQuery};

const COLUMNS: &str = "p.id, p.sku, p.name, p.description, p.category_id, p.price_amount, \
                       p.currency, p.attributes, p.weight_grams, p.active, p.created_at, \
                       p.updated_at";

/// A product as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct ProductRow {
    id: Uuid,
    sku: String,
    name: String,
    description: String,
    category_id: Uuid,
    price_amount: i64,
    currency: String,
    attributes: Json<BTreeMap<String, String>>,
    weight_grams: Option<i64>,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Record for ProductRow {
    const TABLE: &'static str = "products p";
    const ALIAS: &'static str = "p";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Product;
}

impl From<ProductRow> for Product {
    fn from(row: ProductRow) -> Self {
        Self {
            id: row.id,
            sku: row.sku,
            name: row.name,
            description: row.description,
            category_id: row.category_id,
            price: Money {
                amount: row.price_amount,
                currency: row.currency,
            },
            attributes: row.attributes.0,
            weight_grams: row.weight_grams,
            active: row.active,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Appends the filters of `query` to a `WHERE`.
pub fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, query: &ProductQuery) {
    if let Some(category) = query.category_id {
        push_category_subtree(qb, "p", category);
    }
    if let Some(min) = query.min_price {
        qb.push(" AND p.price_amount >= ").push_bind(min);
    }
    if let Some(max) = query.max_price {
        qb.push(" AND p.price_amount <= ").push_bind(max);
    }
    if let Some(currency) = &query.currency {
        qb.push(" AND p.currency = ").push_bind(currency.clone());
    }
    if let Some(active) = query.active {
        qb.push(" AND p.active = ").push_bind(active);
    }
    if let Some(q) = &query.q {
        let pattern = contains_pattern(q);
        qb.push(" AND (p.name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR p.description ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR p.sku ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
}

/// The list of products for `query`; `scope` is its `Debug`, which binds cursors to it.
pub fn listing<'a>(query: &ProductQuery, scope: &'a str) -> Listing<'a> {
    record::listing::<ProductRow>(sort_keys(query.sort), scope)
}

/// One page of the products matching `query`.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    query: &ProductQuery,
    page: &Page,
) -> Result<PageOf<Product>, ListError> {
    let scope = format!("{query:?}");
    let keys = sort_keys(query.sort);
    record::list::<ProductRow>(db, keys, &scope, |qb| push_filters(qb, query), page).await
}

/// One product.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Product>, sqlx::Error> {
    record::get::<ProductRow>(db, id).await
}

/// One product, locked until the end of the transaction (read-modify-write).
pub async fn get_for_update(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<Product>, sqlx::Error> {
    record::get_for_update::<ProductRow>(db, id).await
}

/// Inserts a product.
pub async fn insert(db: impl PgExecutor<'_>, f: &ProductFields) -> Result<Product, sqlx::Error> {
    let row: ProductRow = sqlx::query_as(&format!(
        "INSERT INTO products AS p (id, sku, name, description, category_id, price_amount, \
             currency, attributes, weight_grams, active) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(&f.sku)
    .bind(f.name.trim())
    .bind(&f.description)
    .bind(f.category_id)
    .bind(f.price.amount)
    .bind(&f.price.currency)
    .bind(Json(&f.attributes))
    .bind(f.weight_grams)
    .bind(f.active)
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

/// Overwrites a product's fields; `None` when it does not exist.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: Uuid,
    f: &ProductFields,
) -> Result<Option<Product>, sqlx::Error> {
    let row: Option<ProductRow> = sqlx::query_as(&format!(
        "UPDATE products AS p SET sku = $2, name = $3, description = $4, category_id = $5, \
             price_amount = $6, currency = $7, attributes = $8, weight_grams = $9, \
             active = $10, updated_at = now() \
         WHERE p.id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&f.sku)
    .bind(f.name.trim())
    .bind(&f.description)
    .bind(f.category_id)
    .bind(f.price.amount)
    .bind(&f.price.currency)
    .bind(Json(&f.attributes))
    .bind(f.weight_grams)
    .bind(f.active)
    .fetch_optional(db)
    .await?;
    Ok(row.map(Product::from))
}

/// Deletes a product, returning what it was.
pub async fn delete(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Product>, sqlx::Error> {
    record::delete::<ProductRow>(db, id).await
}
