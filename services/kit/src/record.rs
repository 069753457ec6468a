//! The reads every table of whole rows has (one by id, one locked by id, deleted by id,
//! a page), written once: a store names where its rows live with [`Record`] and keeps only
//! the SQL that is its own (filters, inserts, updates).

use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::pagination::{Page, PageOf};
use crate::sql::{ListError, Listing, SortKey, fetch_page};

/// A row type read whole from one table (plus joined columns), by a uuid column `id`.
pub trait Record: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {
    /// The table and its alias, e.g. `products p`: what a list counts, a delete deletes
    /// and a lock locks.
    const TABLE: &'static str;
    /// The alias of [`Self::TABLE`], e.g. `p`; [`Self::COLUMNS`] and filters use it.
    const ALIAS: &'static str;
    /// What the rows are read from: the table, with the joins that bring in columns of
    /// other tables (e.g. `orders o LEFT JOIN shipments s ON s.order_id = o.id`); by
    /// default the table alone. Joins must not change the number of rows (one row per id).
    const FROM: &'static str = Self::TABLE;
    /// The selected columns, qualified by the aliases (e.g. `p.id, p.name`).
    const COLUMNS: &'static str;
    /// What the store hands out for a row (the domain type, or the row itself).
    type Item: From<Self>;
}

/// `SELECT <columns> FROM <from> WHERE <alias>.id = $1` and what follows.
fn by_id<R: Record>(tail: &str) -> String {
    format!(
        "SELECT {} FROM {} WHERE {}.id = $1{tail}",
        R::COLUMNS,
        R::FROM,
        R::ALIAS
    )
}

/// The row with `id`.
pub async fn get<R: Record>(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<R::Item>, sqlx::Error> {
    let row: Option<R> = sqlx::query_as(&by_id::<R>(""))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(R::Item::from))
}

/// The row with `id`, locked until the end of the transaction (read-modify-write); only
/// the table's own row is locked, not joined ones.
pub async fn get_for_update<R: Record>(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<R::Item>, sqlx::Error> {
    let row: Option<R> = sqlx::query_as(&by_id::<R>(&format!(" FOR UPDATE OF {}", R::ALIAS)))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(R::Item::from))
}

/// Deletes the row with `id`, returning what it was (for a record read without joins).
pub async fn delete<R: Record>(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<R::Item>, sqlx::Error> {
    let row: Option<R> = sqlx::query_as(&format!(
        "DELETE FROM {} WHERE {}.id = $1 RETURNING {}",
        R::TABLE,
        R::ALIAS,
        R::COLUMNS
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(R::Item::from))
}

/// The list of `R` in the order of `keys`; `scope` binds its cursors to this list (its
/// filters and sort, see [`Listing::scope`]).
pub fn listing<'a, R: Record>(keys: &'a [SortKey<'a>], scope: &'a str) -> Listing<'a> {
    Listing {
        columns: R::COLUMNS,
        from: R::FROM,
        count_from: R::TABLE,
        keys,
        scope,
    }
}

/// One page of the `R` matching `filters`, in the order of `keys` (see [`fetch_page`]).
pub async fn list<'q, R: Record>(
    db: impl PgExecutor<'_> + Copy,
    keys: &[SortKey<'_>],
    scope: &str,
    filters: impl Fn(&mut QueryBuilder<'q, Postgres>),
    page: &Page,
) -> Result<PageOf<R::Item>, ListError> {
    let rows: PageOf<R> = fetch_page(db, listing::<R>(keys, scope), filters, page).await?;
    Ok(rows.map(R::Item::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(sqlx::FromRow)]
    #[allow(dead_code)]
    struct Joined {
        id: Uuid,
    }

    impl Record for Joined {
        const TABLE: &'static str = "orders o";
        const ALIAS: &'static str = "o";
        const FROM: &'static str = "orders o LEFT JOIN shipments s ON s.order_id = o.id";
        const COLUMNS: &'static str = "o.id, s.carrier";
        type Item = Self;
    }

    #[test]
    fn reads_by_id_from_the_joined_rows_and_locks_only_the_table() {
        assert_eq!(
            by_id::<Joined>(" FOR UPDATE OF o"),
            "SELECT o.id, s.carrier FROM orders o LEFT JOIN shipments s ON s.order_id = o.id \
             WHERE o.id = $1 FOR UPDATE OF o"
        );
        let listing = listing::<Joined>(&[], "scope");
        assert_eq!(listing.from, Joined::FROM);
        assert_eq!(listing.count_from, "orders o");
    }
}
