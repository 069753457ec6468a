//! SQL of pets.

use chrono::{DateTime, NaiveDate, Utc};
use kit::pagination::{Page, PageOf};
use kit::record::{self, Fields, Query, Record};
use kit::sql::{ListError, Plan};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{Listing, contains_pattern, push_category_subtree, sort_keys};
use crate::domain::Money;
use crate::domain::pet::{Pet, PetFields, PetQuery, PetStatus};

const COLUMNS: &str = "p.id, p.name, p.species, p.breed, p.birth_date, p.category_id, p.tags, \
                       p.photo_urls, p.status, p.price_amount, p.currency, p.created_at, \
                       p.updated_at";

/// A pet as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct PetRow {
    id: Uuid,
    name: String,
    species: String,
    breed: Option<String>,
    birth_date: Option<NaiveDate>,
    category_id: Uuid,
    tags: Vec<String>,
    photo_urls: Vec<String>,
    status: PetStatus,
    price_amount: i64,
    currency: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Record for PetRow {
    const TABLE: &'static str = "pets";
    const ALIAS: &'static str = "p";
    const FROM: &'static str = "pets p";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Pet;
}

impl Fields for PetFields {
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "species",
        "breed",
        "birth_date",
        "category_id",
        "tags",
        "photo_urls",
        "status",
        "price_amount",
        "currency",
    ];

    fn bind<'q, O>(&'q self, query: Query<'q, O>) -> Query<'q, O> {
        query
            .bind(self.name.trim())
            .bind(self.species.trim())
            .bind(self.breed.as_deref().map(str::trim))
            .bind(self.birth_date)
            .bind(self.category_id)
            .bind(&self.tags)
            .bind(&self.photo_urls)
            .bind(self.status)
            .bind(self.price.amount)
            .bind(&self.price.currency)
    }
}

impl From<PetRow> for Pet {
    fn from(row: PetRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            species: row.species,
            breed: row.breed,
            birth_date: row.birth_date,
            category_id: row.category_id,
            tags: row.tags,
            photo_urls: row.photo_urls,
            status: row.status,
            price: Money {
                amount: row.price_amount,
                currency: row.currency,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Appends the filters of `query` to a `WHERE`.
pub fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, query: &PetQuery) {
    if let Some(category) = query.category_id {
        push_category_subtree(qb, "p", category);
    }
    if let Some(species) = &query.species {
        qb.push(" AND lower(p.species) = lower(")
            .push_bind(species.clone())
            .push(")");
    }
    if let Some(status) = query.status {
        qb.push(" AND p.status = ").push_bind(status);
    }
    if !query.tags.is_empty() {
        qb.push(" AND p.tags @> ").push_bind(query.tags.clone());
    }
    if let Some(min) = query.min_price {
        qb.push(" AND p.price_amount >= ").push_bind(min);
    }
    if let Some(max) = query.max_price {
        qb.push(" AND p.price_amount <= ").push_bind(max);
    }
    if let Some(q) = &query.q {
        let pattern = contains_pattern(q);
        qb.push(" AND (p.name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR p.species ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR p.breed ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
}

/// The list of pets for `query`; `scope` is its `Debug`, which binds cursors to it.
pub fn listing<'a>(query: &PetQuery, scope: &'a str) -> Listing<'a> {
    record::listing::<PetRow>(sort_keys(query.sort), scope)
        .planned(Plan::for_search(query.q.as_ref()))
}

/// One page of the pets matching `query`.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    query: &PetQuery,
    page: &Page,
) -> Result<PageOf<Pet>, ListError> {
    let scope = format!("{query:?}");
    record::list_in::<PetRow>(
        db,
        listing(query, &scope),
        |qb| push_filters(qb, query),
        page,
    )
    .await
}

/// One pet.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Pet>, sqlx::Error> {
    record::get::<PetRow>(db, id).await
}

/// One pet, locked until the end of the transaction (read-modify-write).
pub async fn get_for_update(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Pet>, sqlx::Error> {
    record::get_for_update::<PetRow>(db, id).await
}

/// Overwrites a pet's fields; `None` when it does not exist.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: Uuid,
    f: &PetFields,
) -> Result<Option<Pet>, sqlx::Error> {
    record::update::<PetRow, _>(db, id, f).await
}
