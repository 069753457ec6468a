//! SQL of reviews.

use chrono::{DateTime, Utc};
use kit::cursor::KeyKind;
use kit::pagination::{Page, PageOf};
use kit::record::{self, Fields, Query, Record};
use kit::sql::{ListError, SortKey};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::review::{Review, ReviewFields, ReviewQuery, ReviewSort};
use crate::domain::summary::Distribution;

const COLUMNS: &str = "r.id, r.product_id, r.user_id, r.rating, r.title, r.body, r.verified, \
                       r.created_at, r.updated_at";

/// A review as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct ReviewRow {
    id: Uuid,
    product_id: Uuid,
    user_id: Uuid,
    rating: i16,
    title: String,
    body: String,
    verified: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Record for ReviewRow {
    const TABLE: &'static str = "reviews";
    const ALIAS: &'static str = "r";
    const FROM: &'static str = "reviews r";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Review;
}

impl Fields for ReviewFields {
    const COLUMNS: &'static [&'static str] = &["rating", "title", "body"];

    fn bind<'q, O>(&'q self, query: Query<'q, O>) -> Query<'q, O> {
        query
            .bind(rating_column(self.rating))
            .bind(&self.title)
            .bind(&self.body)
    }
}

impl From<ReviewRow> for Review {
    fn from(row: ReviewRow) -> Self {
        Self {
            id: row.id,
            product_id: row.product_id,
            user_id: row.user_id,
            rating: i64::from(row.rating),
            title: row.title,
            body: row.body,
            verified: row.verified,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Ratings are validated to 1–5 before they reach the store.
fn rating_column(rating: i64) -> i16 {
    i16::try_from(rating).unwrap_or(i16::MAX)
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, query: &ReviewQuery) {
    if let Some(product) = query.product_id {
        qb.push(" AND r.product_id = ").push_bind(product);
    }
    if let Some(user) = query.user_id {
        qb.push(" AND r.user_id = ").push_bind(user);
    }
    if let Some(verified) = query.verified {
        qb.push(" AND r.verified = ").push_bind(verified);
    }
    if let Some(rating) = query.rating {
        qb.push(" AND r.rating = ").push_bind(rating_column(rating));
    }
}

/// The sort keys of a sort; `id` breaks ties so pages never overlap.
fn sort_keys(sort: ReviewSort) -> &'static [SortKey<'static>] {
    const CREATED_DESC: SortKey = SortKey::desc("r.created_at", KeyKind::Time);
    const ID_DESC: SortKey = SortKey::desc("r.id", KeyKind::Uuid);
    const NEWEST: &[SortKey] = &[CREATED_DESC, ID_DESC];
    const OLDEST: &[SortKey] = &[
        SortKey::asc("r.created_at", KeyKind::Time),
        SortKey::asc("r.id", KeyKind::Uuid),
    ];
    const LOWEST: &[SortKey] = &[
        SortKey::asc("r.rating", KeyKind::Int),
        CREATED_DESC,
        ID_DESC,
    ];
    const HIGHEST: &[SortKey] = &[
        SortKey::desc("r.rating", KeyKind::Int),
        CREATED_DESC,
        ID_DESC,
    ];
    match sort {
        ReviewSort::CreatedDesc => NEWEST,
        ReviewSort::CreatedAsc => OLDEST,
        ReviewSort::RatingAsc => LOWEST,
        ReviewSort::RatingDesc => HIGHEST,
    }
}

/// One page of the reviews matching `query`.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    query: &ReviewQuery,
    page: &Page,
) -> Result<PageOf<Review>, ListError> {
    let scope = format!("{query:?}");
    let keys = sort_keys(query.sort);
    record::list::<ReviewRow>(db, keys, &scope, |qb| push_filters(qb, query), page).await
}

/// One review.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Review>, sqlx::Error> {
    record::get::<ReviewRow>(db, id).await
}

/// One review, locked until the end of the transaction (read-modify-write).
pub async fn get_for_update(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<Review>, sqlx::Error> {
    record::get_for_update::<ReviewRow>(db, id).await
}

/// Inserts a review.
pub async fn insert(
    db: impl PgExecutor<'_>,
    product_id: Uuid,
    user_id: Uuid,
    fields: &ReviewFields,
    verified: bool,
) -> Result<Review, sqlx::Error> {
    let row: ReviewRow = sqlx::query_as(&format!(
        "INSERT INTO reviews AS r (id, product_id, user_id, rating, title, body, verified) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(product_id)
    .bind(user_id)
    .bind(rating_column(fields.rating))
    .bind(&fields.title)
    .bind(&fields.body)
    .bind(verified)
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

/// Overwrites a review's writable fields; `None` when it does not exist.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: Uuid,
    fields: &ReviewFields,
) -> Result<Option<Review>, sqlx::Error> {
    record::update::<ReviewRow, _>(db, id, fields).await
}

/// Deletes a review; false when it did not exist.
pub async fn delete(db: impl PgExecutor<'_>, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM reviews WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks the user's reviews of `products` verified.
pub async fn verify(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    products: &[Uuid],
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE reviews SET verified = TRUE \
         WHERE user_id = $1 AND product_id = ANY($2) AND NOT verified",
    )
    .bind(user_id)
    .bind(products)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes every review of a product.
pub async fn delete_product(db: impl PgExecutor<'_>, product_id: Uuid) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM reviews WHERE product_id = $1")
        .bind(product_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// How many reviews of a product give each number of stars.
pub async fn distribution(
    db: impl PgExecutor<'_>,
    product_id: Uuid,
) -> Result<Distribution, sqlx::Error> {
    let rows: Vec<(i16, i64)> = sqlx::query_as(
        "SELECT rating, COUNT(*) FROM reviews WHERE product_id = $1 GROUP BY rating",
    )
    .bind(product_id)
    .fetch_all(db)
    .await?;
    Ok(Distribution::from_counts(
        rows.into_iter().map(|(stars, n)| (i64::from(stars), n)),
    ))
}
