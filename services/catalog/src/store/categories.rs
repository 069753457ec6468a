//! SQL of categories.

use kit::pagination::{Page, PageOf};
use kit::record::{self, Record};
use kit::sql::ListError;
use sqlx::{PgConnection, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{KeyKind, SortKey};
use crate::domain::category::{Category, CategoryRef};

const COLUMNS: &str = "c.id, c.name, c.slug, c.parent_id, c.created_at, c.updated_at";

impl Record for Category {
    const TABLE: &'static str = "categories";
    const ALIAS: &'static str = "c";
    const FROM: &'static str = "categories c";
    const COLUMNS: &'static str = COLUMNS;
    type Item = Self;
}

/// A page of categories (optionally only the children of `parent`), oldest first.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    parent: Option<Uuid>,
    page: &Page,
) -> Result<PageOf<Category>, ListError> {
    const KEYS: &[SortKey] = &[
        SortKey::asc("c.created_at", KeyKind::Time),
        SortKey::asc("c.id", KeyKind::Uuid),
    ];
    let scope = format!("categories {parent:?}");
    let filters = |qb: &mut QueryBuilder<'_, Postgres>| {
        if let Some(parent) = parent {
            qb.push(" AND c.parent_id = ").push_bind(parent);
        }
    };
    record::list::<Category>(db, KEYS, &scope, filters, page).await
}

/// One category.
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Category>, sqlx::Error> {
    record::get::<Category>(db, id).await
}

/// Whether the category exists.
pub async fn exists(db: impl PgExecutor<'_>, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

/// Ids of the direct children.
pub async fn children_ids(db: impl PgExecutor<'_>, id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM categories WHERE parent_id = $1 ORDER BY created_at, id")
        .bind(id)
        .fetch_all(db)
        .await
}

/// The path from the root down to `id` (inclusive).
pub async fn path(db: impl PgExecutor<'_>, id: Uuid) -> Result<Vec<CategoryRef>, sqlx::Error> {
    sqlx::query_as(
        "WITH RECURSIVE up(id, name, slug, parent_id, depth) AS ( \
             SELECT id, name, slug, parent_id, 0 FROM categories WHERE id = $1 \
             UNION ALL \
             SELECT c.id, c.name, c.slug, c.parent_id, up.depth + 1 \
             FROM categories c JOIN up ON c.id = up.parent_id \
             WHERE up.depth < 1000 \
         ) SELECT id, name, slug FROM up ORDER BY depth DESC",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// Whether `candidate` is `id` itself or lies below it (so cannot become its parent).
pub async fn is_in_subtree(
    db: impl PgExecutor<'_>,
    id: Uuid,
    candidate: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "WITH RECURSIVE down(id) AS ( \
             SELECT $1::uuid \
             UNION SELECT c.id FROM categories c JOIN down d ON c.parent_id = d.id \
         ) SELECT EXISTS (SELECT 1 FROM down WHERE id = $2)",
    )
    .bind(id)
    .bind(candidate)
    .fetch_one(db)
    .await
}

/// Serializes changes to the shape of the tree. Two concurrent moves could each pass the
/// cycle check and together form a loop; tree writes are rare, so one lock is cheap.
pub async fn lock_tree(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('catalog.categories.tree'))")
        .execute(conn)
        .await
        .map(|_| ())
}

/// Inserts a category.
pub async fn insert(
    db: impl PgExecutor<'_>,
    name: &str,
    slug: &str,
    parent: Option<Uuid>,
) -> Result<Category, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO categories AS c (id, name, slug, parent_id) VALUES ($1, $2, $3, $4) \
         RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(name.trim())
    .bind(slug)
    .bind(parent)
    .fetch_one(db)
    .await
}

/// Overwrites a category's fields; `None` when it does not exist.
pub async fn update(
    db: impl PgExecutor<'_>,
    id: Uuid,
    name: &str,
    slug: &str,
    parent: Option<Uuid>,
) -> Result<Option<Category>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE categories AS c SET name = $2, slug = $3, parent_id = $4, updated_at = now() \
         WHERE c.id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(name.trim())
    .bind(slug)
    .bind(parent)
    .fetch_optional(db)
    .await
}

/// What still hangs off a category: (children, products, pets).
pub async fn dependents(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<(bool, bool, bool), sqlx::Error> {
    sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM categories WHERE parent_id = $1), \
                EXISTS (SELECT 1 FROM products WHERE category_id = $1), \
                EXISTS (SELECT 1 FROM pets WHERE category_id = $1)",
    )
    .bind(id)
    .fetch_one(db)
    .await
}

/// Deletes a category; whether it existed.
pub async fn delete(db: impl PgExecutor<'_>, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM categories WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
