//! SQL of the movement ledger (insert and read only: the table refuses updates and deletes).

use chrono::{DateTime, Utc};
use kit::cursor::KeyKind;
use kit::pagination::{Page, PageOf};
use kit::record::{self, Record};
use kit::sql::{ListError, SortKey};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::movement::{Movement, MovementKind, MovementQuery, NewMovement};

const COLUMNS: &str = "m.id, m.store_id, m.product_id, m.kind, m.delta, m.on_hand_after, \
                       m.reason, m.actor_id, m.order_id, m.transfer_id, m.created_at";

/// A movement as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct MovementRow {
    id: Uuid,
    store_id: Uuid,
    product_id: Uuid,
    kind: String,
    delta: i64,
    on_hand_after: i64,
    reason: String,
    actor_id: Option<Uuid>,
    order_id: Option<Uuid>,
    transfer_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl Record for MovementRow {
    const TABLE: &'static str = "movements";
    const ALIAS: &'static str = "m";
    const FROM: &'static str = "movements m";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Movement;
}

impl From<MovementRow> for Movement {
    fn from(r: MovementRow) -> Self {
        Self {
            id: r.id,
            store_id: r.store_id,
            product_id: r.product_id,
            // The CHECK constraint admits only known kinds.
            kind: MovementKind::parse(&r.kind).unwrap_or(MovementKind::Adjustment),
            delta: r.delta,
            on_hand_after: r.on_hand_after,
            reason: r.reason,
            actor_id: r.actor_id,
            order_id: r.order_id,
            transfer_id: r.transfer_id,
            created_at: r.created_at,
        }
    }
}

/// Appends a movement.
pub async fn insert(db: impl PgExecutor<'_>, m: &NewMovement) -> Result<Movement, sqlx::Error> {
    let row: MovementRow = sqlx::query_as(&format!(
        "INSERT INTO movements AS m (id, store_id, product_id, kind, delta, on_hand_after, \
             reason, actor_id, order_id, transfer_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(m.store_id)
    .bind(m.product_id)
    .bind(m.kind.as_str())
    .bind(m.delta)
    .bind(m.on_hand_after)
    .bind(&m.reason)
    .bind(m.actor_id)
    .bind(m.order_id)
    .bind(m.transfer_id)
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, query: &MovementQuery) {
    if let Some(store) = query.store_id {
        qb.push(" AND m.store_id = ").push_bind(store);
    }
    if let Some(product) = query.product_id {
        qb.push(" AND m.product_id = ").push_bind(product);
    }
    if let Some(from) = query.from {
        qb.push(" AND m.created_at >= ").push_bind(from);
    }
    if let Some(to) = query.to {
        qb.push(" AND m.created_at < ").push_bind(to);
    }
}

/// One page of the movements matching `query`, newest first.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    query: &MovementQuery,
    page: &Page,
) -> Result<PageOf<Movement>, ListError> {
    const KEYS: &[SortKey] = &[
        SortKey::desc("m.created_at", KeyKind::Time),
        SortKey::desc("m.id", KeyKind::Uuid),
    ];
    let scope = format!("{query:?}");
    record::list::<MovementRow>(db, KEYS, &scope, |qb| push_filters(qb, query), page).await
}
