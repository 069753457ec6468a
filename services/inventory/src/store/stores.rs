//! SQL of stores.

use chrono::{DateTime, Utc};
use kit::cursor::KeyKind;
use kit::pagination::{Page, PageOf};
use kit::record::{self, Fields, Query, Record};
use kit::sql::{ListError, SortKey};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::contains_pattern;
use crate::domain::store::{Address, Store, StoreFields, StoreQuery, StoreStatus};

const COLUMNS: &str = "s.id, s.code, s.name, s.line1, s.line2, s.city, s.postal_code, \
                       s.country, s.timezone, s.status, s.created_at, s.updated_at, s.closed_at";

/// A store as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct StoreRow {
    id: Uuid,
    code: String,
    name: String,
    line1: String,
    line2: Option<String>,
    city: String,
    postal_code: String,
    country: String,
    timezone: String,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

impl Record for StoreRow {
    const TABLE: &'static str = "stores";
    const ALIAS: &'static str = "s";
    const FROM: &'static str = "stores s";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Store;
}

impl Fields for StoreFields {
    const COLUMNS: &'static [&'static str] = &[
        "code",
        "name",
        "line1",
        "line2",
        "city",
        "postal_code",
        "country",
        "timezone",
    ];

    fn bind<'q, O>(&'q self, query: Query<'q, O>) -> Query<'q, O> {
        query
            .bind(&self.code)
            .bind(&self.name)
            .bind(&self.address.line1)
            .bind(&self.address.line2)
            .bind(&self.address.city)
            .bind(&self.address.postal_code)
            .bind(&self.address.country)
            .bind(&self.timezone)
    }
}

impl From<StoreRow> for Store {
    fn from(row: StoreRow) -> Self {
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            address: Address {
                line1: row.line1,
                line2: row.line2,
                city: row.city,
                postal_code: row.postal_code,
                country: row.country,
            },
            timezone: row.timezone,
            status: StoreStatus::parse(&row.status),
            created_at: row.created_at,
            updated_at: row.updated_at,
            closed_at: row.closed_at,
        }
    }
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, query: &StoreQuery) {
    if let Some(status) = query.status {
        qb.push(" AND s.status = ").push_bind(status.as_str());
    }
    if let Some(q) = &query.q {
        let pattern = contains_pattern(q);
        qb.push(" AND (s.code ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR s.name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR s.city ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
}

/// One page of the stores matching `query` (oldest first), and how many match in all.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    query: &StoreQuery,
    page: &Page,
) -> Result<PageOf<Store>, ListError> {
    const KEYS: &[SortKey] = &[
        SortKey::asc("s.created_at", KeyKind::Time),
        SortKey::asc("s.id", KeyKind::Uuid),
    ];
    let scope = format!("{query:?}");
    record::list::<StoreRow>(db, KEYS, &scope, |qb| push_filters(qb, query), page).await
}

/// One store.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Store>, sqlx::Error> {
    record::get::<StoreRow>(db, id).await
}

/// One store, locked against changes (closing) until the end of the transaction.
pub async fn get_for_update(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<Store>, sqlx::Error> {
    record::get_for_update::<StoreRow>(db, id).await
}

/// The status of each of `ids` that exists, share-locked (in id order) so that no store
/// closes while stock of it changes.
pub async fn lock_statuses(
    db: impl PgExecutor<'_>,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, StoreStatus)>, sqlx::Error> {
    let rows: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT id, status FROM stores WHERE id = ANY($1) ORDER BY id FOR SHARE")
            .bind(ids)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, status)| (id, StoreStatus::parse(&status)))
        .collect())
}

/// Inserts a store.
pub async fn insert(db: impl PgExecutor<'_>, f: &StoreFields) -> Result<Store, sqlx::Error> {
    record::insert::<StoreRow, _>(db, f).await
}

/// Replaces the writable fields of a store.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: Uuid,
    f: &StoreFields,
) -> Result<Option<Store>, sqlx::Error> {
    record::update::<StoreRow, _>(db, id, f).await
}

/// Closes an open store (a closed one is returned unchanged).
pub async fn close(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Store>, sqlx::Error> {
    let row: Option<StoreRow> = sqlx::query_as(&format!(
        "UPDATE stores AS s SET status = 'closed', \
             closed_at = COALESCE(s.closed_at, now()), \
             updated_at = CASE WHEN s.status = 'closed' THEN s.updated_at ELSE now() END \
         WHERE s.id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(Store::from))
}
