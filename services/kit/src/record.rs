//! What every table of whole rows has, written once: one row by id, one locked by id,
//! deleted by id, a page, and (for a table written from one value of fields) the insert
//! and the overwrite. A store names where its rows live with [`Record`] and which columns
//! it writes with [`Fields`], and keeps only the SQL that is its own (filters, guarded
//! updates).

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryAs;
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::pagination::{Page, PageOf};
use crate::sql::{ListError, Listing, Plan, SortKey, fetch_page};

/// A row type read whole from one table (plus joined columns), by a uuid column `id`.
pub trait Record: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {
    /// The table's name, e.g. `products`: what a delete deletes and an insert inserts into.
    const TABLE: &'static str;
    /// The alias of [`Self::TABLE`], e.g. `p`; [`Self::COLUMNS`] and filters use it.
    const ALIAS: &'static str;
    /// What the rows are read from: the table as its alias (e.g. `products p`), with the
    /// joins that bring in columns of other tables (e.g. `orders o LEFT JOIN shipments s
    /// ON s.order_id = o.id`). Joins must not change the number of rows (one row per id).
    const FROM: &'static str;
    /// What a list's exact `total` counts: by default [`Self::FROM`]; the table alone
    /// (e.g. `orders o`) where the joins are only for columns.
    const COUNT_FROM: &'static str = Self::FROM;
    /// The selected columns, qualified by the aliases (e.g. `p.id, p.name`).
    const COLUMNS: &'static str;
    /// What the store hands out for a row (the domain type, or the row itself).
    type Item: From<Self>;
}

/// A query whose arguments are still being bound.
pub type Query<'q, O> = QueryAs<'q, Postgres, O, PgArguments>;

/// The writable fields of a record as one value: what an insert writes and an overwrite
/// replaces, in one order so that both bind them alike.
pub trait Fields {
    /// The column names, in the order [`Fields::bind`] binds them.
    const COLUMNS: &'static [&'static str];

    /// `query` with the values bound, one per column of [`Fields::COLUMNS`], in order.
    fn bind<'q, O>(&'q self, query: Query<'q, O>) -> Query<'q, O>;
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
        "DELETE FROM {} AS {} WHERE {}.id = $1 RETURNING {}",
        R::TABLE,
        R::ALIAS,
        R::ALIAS,
        R::COLUMNS
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(R::Item::from))
}

/// `INSERT` of a new row `id` with `fields`, returning it.
fn insert_sql<R: Record, F: Fields>() -> String {
    let columns = F::COLUMNS.join(", ");
    let values: Vec<String> = (2..=F::COLUMNS.len() + 1)
        .map(|n| format!("${n}"))
        .collect();
    format!(
        "INSERT INTO {} AS {} (id, {columns}) VALUES ($1, {}) RETURNING {}",
        R::TABLE,
        R::ALIAS,
        values.join(", "),
        R::COLUMNS
    )
}

/// `UPDATE` of row `$1` with `fields` (and `updated_at`), returning it.
fn update_sql<R: Record, F: Fields>() -> String {
    let set: Vec<String> = F::COLUMNS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 2))
        .collect();
    format!(
        "UPDATE {} AS {} SET {}, updated_at = now() WHERE {}.id = $1 RETURNING {}",
        R::TABLE,
        R::ALIAS,
        set.join(", "),
        R::ALIAS,
        R::COLUMNS
    )
}

/// Inserts a row with a new random id and `fields`, returning it.
pub async fn insert<R: Record, F: Fields>(
    db: impl PgExecutor<'_>,
    fields: &F,
) -> Result<R::Item, sqlx::Error> {
    let sql = insert_sql::<R, F>();
    let row: R = fields
        .bind(sqlx::query_as(&sql).bind(Uuid::new_v4()))
        .fetch_one(db)
        .await?;
    Ok(row.into())
}

/// Overwrites the fields of row `id` and stamps `updated_at`; `None` when it does not
/// exist.
pub async fn update<R: Record, F: Fields>(
    db: impl PgExecutor<'_>,
    id: Uuid,
    fields: &F,
) -> Result<Option<R::Item>, sqlx::Error> {
    let sql = update_sql::<R, F>();
    let row: Option<R> = fields
        .bind(sqlx::query_as(&sql).bind(id))
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
        count_from: R::COUNT_FROM,
        keys,
        scope,
        plan: Plan::Shared,
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
    list_in::<R>(db, listing::<R>(keys, scope), filters, page).await
}

/// One page of the `R` of `listing` matching `filters` (see [`fetch_page`]).
pub async fn list_in<'q, R: Record>(
    db: impl PgExecutor<'_> + Copy,
    listing: Listing<'_>,
    filters: impl Fn(&mut QueryBuilder<'q, Postgres>),
    page: &Page,
) -> Result<PageOf<R::Item>, ListError> {
    let rows: PageOf<R> = fetch_page(db, listing, filters, page).await?;
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
        const TABLE: &'static str = "orders";
        const ALIAS: &'static str = "o";
        const FROM: &'static str = "orders o LEFT JOIN shipments s ON s.order_id = o.id";
        const COUNT_FROM: &'static str = "orders o";
        const COLUMNS: &'static str = "o.id, s.carrier";
        type Item = Self;
    }

    struct Carrier(String, i64);

    impl Fields for Carrier {
        const COLUMNS: &'static [&'static str] = &["carrier", "weight"];

        fn bind<'q, O>(&'q self, query: Query<'q, O>) -> Query<'q, O> {
            query.bind(&self.0).bind(self.1)
        }
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

    #[test]
    fn writes_bind_the_fields_after_the_id_in_one_order() {
        assert_eq!(
            insert_sql::<Joined, Carrier>(),
            "INSERT INTO orders AS o (id, carrier, weight) VALUES ($1, $2, $3) \
             RETURNING o.id, s.carrier"
        );
        assert_eq!(
            update_sql::<Joined, Carrier>(),
            "UPDATE orders AS o SET carrier = $2, weight = $3, updated_at = now() \
             WHERE o.id = $1 RETURNING o.id, s.carrier"
        );
        let _ = Carrier(String::new(), 0).bind(sqlx::query_as::<_, Joined>("SELECT 1"));
    }
}
