//! SQL of products.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kit::pagination::{Page, PageOf};
use kit::record::{self, Fields, Query, Record};
use kit::sql::{ListError, Plan};
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
    const TABLE: &'static str = "products";
    const ALIAS: &'static str = "p";
    const FROM: &'static str = "products p";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Product;
}

impl Fields for ProductFields {
    const COLUMNS: &'static [&'static str] = &[
        "sku",
        "name",
        "description",
        "category_id",
        "price_amount",
        "currency",
        "attributes",
        "weight_grams",
        "active",
    ];

    fn bind<'q, O>(&'q self, query: Query<'q, O>) -> Query<'q, O> {
        query
            .bind(&self.sku)
            .bind(self.name.trim())
            .bind(&self.description)
            .bind(self.category_id)
            .bind(self.price.amount)
            .bind(&self.price.currency)
            .bind(Json(&self.attributes))
            .bind(self.weight_grams)
            .bind(self.active)
    }
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
        .planned(Plan::for_search(query.q.as_ref()))
}

/// One page of the products matching `query`.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    query: &ProductQuery,
    page: &Page,
) -> Result<PageOf<Product>, ListError> {
    let scope = format!("{query:?}");
    record::list_in::<ProductRow>(
        db,
        listing(query, &scope),
        |qb| push_filters(qb, query),
        page,
    )
    .await
}

/// One product.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Product>, sqlx::Error> {
    record::get::<ProductRow>(db, id).await
}
