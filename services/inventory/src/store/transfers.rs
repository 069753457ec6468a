//! SQL of transfers.

use chrono::{DateTime, Utc};
use kit::cursor::KeyKind;
use kit::pagination::{Page, PageOf};
use kit::record::{self, Record};
use kit::sql::{ListError, SortKey};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::transfer::{NewTransfer, Transfer};

const COLUMNS: &str = "t.id, t.from_store_id, t.to_store_id, t.product_id, t.quantity, \
                       t.reason, t.actor_id, t.created_at";

/// A transfer as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct TransferRow {
    id: Uuid,
    from_store_id: Uuid,
    to_store_id: Uuid,
    product_id: Uuid,
    quantity: i64,
    reason: String,
    actor_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl Record for TransferRow {
    const TABLE: &'static str = "transfers";
    const ALIAS: &'static str = "t";
    const FROM: &'static str = "transfers t";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Transfer;
}

impl From<TransferRow> for Transfer {
    fn from(r: TransferRow) -> Self {
        Self {
            id: r.id,
            from_store_id: r.from_store_id,
            to_store_id: r.to_store_id,
            product_id: r.product_id,
            quantity: r.quantity,
            reason: r.reason,
            actor_id: r.actor_id,
            created_at: r.created_at,
        }
    }
}

/// Records a transfer.
pub async fn insert(
    db: impl PgExecutor<'_>,
    t: &NewTransfer,
    actor: Option<Uuid>,
) -> Result<Transfer, sqlx::Error> {
    let row: TransferRow = sqlx::query_as(&format!(
        "INSERT INTO transfers AS t (id, from_store_id, to_store_id, product_id, quantity, \
             reason, actor_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(t.from_store_id)
    .bind(t.to_store_id)
    .bind(t.product_id)
    .bind(t.quantity)
    .bind(t.reason.trim())
    .bind(actor)
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

/// One transfer.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Transfer>, sqlx::Error> {
    record::get::<TransferRow>(db, id).await
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, store: Option<Uuid>, product: Option<Uuid>) {
    if let Some(store) = store {
        qb.push(" AND (t.from_store_id = ")
            .push_bind(store)
            .push(" OR t.to_store_id = ")
            .push_bind(store)
            .push(")");
    }
    if let Some(product) = product {
        qb.push(" AND t.product_id = ").push_bind(product);
    }
}

/// One page of transfers from or to `store` and of `product`, newest first.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    store: Option<Uuid>,
    product: Option<Uuid>,
    page: &Page,
) -> Result<PageOf<Transfer>, ListError> {
    const KEYS: &[SortKey] = &[
        SortKey::desc("t.created_at", KeyKind::Time),
        SortKey::desc("t.id", KeyKind::Uuid),
    ];
    let scope = format!("transfers {store:?} {product:?}");
    let filters = |qb: &mut QueryBuilder<'_, Postgres>| push_filters(qb, store, product);
    record::list::<TransferRow>(db, KEYS, &scope, filters, page).await
}
