//! SQL of stock rows.
//!
//! Rows that are about to change are locked with `FOR UPDATE` in one global order
//! (store id, then product id), so two transactions touching the same rows queue instead of
//! deadlocking.

use chrono::{DateTime, Utc};
use kit::cursor::KeyKind;
use kit::pagination::{Page, PageOf};
use kit::sql::{ListError, Plan, SortKey};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{Listing, contains_pattern, fetch_page};
use crate::domain::stock::{InventoryQuery, Level, StockItem};

/// A stock row, as locked for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct StockRow {
    /// Store.
    pub store_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// On hand.
    pub on_hand: i64,
    /// Reserved.
    pub reserved: i64,
    /// Minimum.
    pub min_stock: i64,
    /// Whether it was below its minimum at the last change.
    pub below_minimum: bool,
}

impl StockRow {
    /// Its quantities.
    pub fn level(&self) -> Level {
        Level {
            on_hand: self.on_hand,
            reserved: self.reserved,
            min_stock: self.min_stock,
        }
    }
}

const ROW_COLUMNS: &str = "store_id, product_id, on_hand, reserved, min_stock, below_minimum";

/// Creates an empty row unless one exists (callers then lock it).
pub async fn ensure(
    db: impl PgExecutor<'_>,
    store: Uuid,
    product: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO stock (store_id, product_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(store)
        .bind(product)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether `store` has a row for `product` (rows are never deleted).
pub async fn exists(
    db: impl PgExecutor<'_>,
    store: Uuid,
    product: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM stock WHERE store_id = $1 AND product_id = $2)",
    )
    .bind(store)
    .bind(product)
    .fetch_one(db)
    .await
}

/// Locks the rows of `products` in `store` (those that exist), in product order.
pub async fn lock_in_store(
    db: impl PgExecutor<'_>,
    store: Uuid,
    products: &[Uuid],
) -> Result<Vec<StockRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ROW_COLUMNS} FROM stock WHERE store_id = $1 AND product_id = ANY($2) \
         ORDER BY store_id, product_id FOR UPDATE"
    ))
    .bind(store)
    .bind(products)
    .fetch_all(db)
    .await
}

/// Locks the rows of `product` in `stores` (those that exist), in store order.
pub async fn lock_across_stores(
    db: impl PgExecutor<'_>,
    product: Uuid,
    stores: &[Uuid],
) -> Result<Vec<StockRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ROW_COLUMNS} FROM stock WHERE product_id = $1 AND store_id = ANY($2) \
         ORDER BY store_id, product_id FOR UPDATE"
    ))
    .bind(product)
    .bind(stores)
    .fetch_all(db)
    .await
}

/// Writes a row's new quantities and below-minimum flag.
pub async fn write(
    db: impl PgExecutor<'_>,
    store: Uuid,
    product: Uuid,
    level: Level,
    below_minimum: bool,
) -> Result<StockRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE stock SET on_hand = $3, reserved = $4, min_stock = $5, below_minimum = $6, \
             updated_at = now() \
         WHERE store_id = $1 AND product_id = $2 RETURNING {ROW_COLUMNS}"
    ))
    .bind(store)
    .bind(product)
    .bind(level.on_hand)
    .bind(level.reserved)
    .bind(level.min_stock)
    .bind(below_minimum)
    .fetch_one(db)
    .await
}

const ITEM_COLUMNS: &str = "st.store_id, st.product_id, p.sku, p.name, p.category_id, \
                            (p.active AND NOT p.deleted) AS product_active, st.on_hand, \
                            st.reserved, st.on_hand - st.reserved AS available, st.min_stock, \
                            (st.on_hand - st.reserved < st.min_stock) AS below_minimum, \
                            st.updated_at";

/// A stock item as read.
#[derive(Debug, sqlx::FromRow)]
pub struct ItemRow {
    store_id: Uuid,
    product_id: Uuid,
    sku: Option<String>,
    name: Option<String>,
    category_id: Option<Uuid>,
    product_active: bool,
    on_hand: i64,
    reserved: i64,
    available: i64,
    min_stock: i64,
    below_minimum: bool,
    updated_at: DateTime<Utc>,
}

impl From<ItemRow> for StockItem {
    fn from(r: ItemRow) -> Self {
        Self {
            store_id: r.store_id,
            product_id: r.product_id,
            sku: r.sku,
            name: r.name,
            category_id: r.category_id,
            product_active: r.product_active,
            on_hand: r.on_hand,
            reserved: r.reserved,
            available: r.available,
            min_stock: r.min_stock,
            below_minimum: r.below_minimum,
            updated_at: r.updated_at,
        }
    }
}

/// One item.
pub async fn item(
    db: impl PgExecutor<'_>,
    store: Uuid,
    product: Uuid,
) -> Result<Option<StockItem>, sqlx::Error> {
    let row: Option<ItemRow> = sqlx::query_as(&format!(
        "SELECT {ITEM_COLUMNS} FROM stock st JOIN products p ON p.product_id = st.product_id \
         WHERE st.store_id = $1 AND st.product_id = $2"
    ))
    .bind(store)
    .bind(product)
    .fetch_optional(db)
    .await?;
    Ok(row.map(StockItem::from))
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, query: &InventoryQuery) {
    if let Some(category) = query.category_id {
        qb.push(" AND p.category_id = ").push_bind(category);
    }
    match query.below_minimum {
        Some(true) => {
            qb.push(" AND st.on_hand - st.reserved < st.min_stock");
        }
        Some(false) => {
            qb.push(" AND st.on_hand - st.reserved >= st.min_stock");
        }
        None => {}
    }
    if let Some(q) = &query.q {
        let pattern = contains_pattern(q);
        qb.push(" AND (p.name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR p.sku ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
}

/// One page of a store's items matching `query` (by SKU, then product id).
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    store: Uuid,
    query: &InventoryQuery,
    page: &Page,
) -> Result<PageOf<StockItem>, ListError> {
    let from = "stock st JOIN products p ON p.product_id = st.product_id";
    const KEYS: &[SortKey] = &[
        SortKey::asc("p.sku", KeyKind::Text).nullable(),
        SortKey::asc("st.product_id", KeyKind::Uuid),
    ];
    let scope = format!("stock {store} {query:?}");
    let listing = Listing {
        columns: ITEM_COLUMNS,
        from,
        count_from: from,
        keys: KEYS,
        scope: &scope,
        plan: Plan::for_search(query.q.as_ref()),
    };
    let filters = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" AND st.store_id = ").push_bind(store);
        push_filters(qb, query);
    };
    let page: PageOf<ItemRow> = fetch_page(db, listing, filters, page).await?;
    Ok(page.map(StockItem::from))
}

/// One page of the items below their minimum in open stores (optionally one store),
/// the largest shortfall first.
pub async fn alerts(
    db: impl PgExecutor<'_> + Copy,
    store: Option<Uuid>,
    page: &Page,
) -> Result<PageOf<StockItem>, ListError> {
    let from = "stock st JOIN products p ON p.product_id = st.product_id \
                JOIN stores s ON s.id = st.store_id";
    const KEYS: &[SortKey] = &[
        SortKey::desc("st.min_stock - (st.on_hand - st.reserved)", KeyKind::Int),
        SortKey::asc("st.store_id", KeyKind::Uuid),
        SortKey::asc("st.product_id", KeyKind::Uuid),
    ];
    let scope = format!("alerts {store:?}");
    let listing = Listing {
        columns: ITEM_COLUMNS,
        from,
        count_from: from,
        keys: KEYS,
        scope: &scope,
        plan: Plan::Shared,
    };
    let filters = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" AND s.status = 'open' AND st.on_hand - st.reserved < st.min_stock");
        if let Some(store) = store {
            qb.push(" AND st.store_id = ").push_bind(store);
        }
    };
    let page: PageOf<ItemRow> = fetch_page(db, listing, filters, page).await?;
    Ok(page.map(StockItem::from))
}
