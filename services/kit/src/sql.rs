//! Small SQL helpers every service's store needs.

/// A list row together with the number of rows matching the filters
/// (`COUNT(*) OVER () AS total`), so a page and its total come from one query.
#[derive(Debug, sqlx::FromRow)]
pub struct Counted<T> {
    /// The row.
    #[sqlx(flatten)]
    pub row: T,
    /// Rows matching the filters, across all pages.
    pub total: i64,
}

/// Splits counted rows into the rows and the total (0 for an empty page).
pub fn split_counted<T>(rows: Vec<Counted<T>>) -> (Vec<T>, i64) {
    let total = rows.first().map_or(0, |r| r.total);
    (rows.into_iter().map(|r| r.row).collect(), total)
}

/// The SQL of a paged list: what to select from where, in which order. Filters come from
/// a closure that appends ` AND ...` conditions to `WHERE TRUE`.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a> {
    /// Selected columns (e.g. `p.id, p.name`).
    pub columns: &'a str,
    /// The `FROM` of the page, joins included (e.g. `products p`).
    pub from: &'a str,
    /// The `FROM` of the fallback count, with the same alias (often the same as `from`).
    pub count_from: &'a str,
    /// ` ORDER BY ...` (with the leading space); ties must be broken for stable pages.
    pub order_by: &'a str,
}

/// One page of `listing` filtered by `filters`, and how many rows match in all.
///
/// The total rides on the page's rows (`COUNT(*) OVER ()`), so one query answers; only a
/// page past the end, which has no row to carry it, costs a second `COUNT(*)` query.
pub async fn fetch_page<'q, T>(
    db: impl sqlx::PgExecutor<'_> + Copy,
    listing: Listing<'_>,
    filters: impl Fn(&mut sqlx::QueryBuilder<'q, sqlx::Postgres>),
    page: crate::pagination::Page,
) -> Result<(Vec<T>, i64), sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let mut qb = sqlx::QueryBuilder::new(format!(
        "SELECT {}, COUNT(*) OVER () AS total FROM {} WHERE TRUE",
        listing.columns, listing.from
    ));
    filters(&mut qb);
    qb.push(listing.order_by)
        .push(" LIMIT ")
        .push_bind(page.limit)
        .push(" OFFSET ")
        .push_bind(page.offset);
    let rows: Vec<Counted<T>> = qb.build_query_as().fetch_all(db).await?;
    let (rows, mut total) = split_counted(rows);
    if rows.is_empty() && page.offset > 0 {
        let mut qb = sqlx::QueryBuilder::new(format!(
            "SELECT COUNT(*) FROM {} WHERE TRUE",
            listing.count_from
        ));
        filters(&mut qb);
        total = qb.build_query_scalar().fetch_one(db).await?;
    }
    Ok((rows, total))
}

/// An `ILIKE` pattern matching `text` anywhere, with the pattern's wildcards
/// escaped so a search for `50%` means those characters, not "50 and anything".
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Takes a transaction-scoped advisory lock on `(namespace, id)`: everything else that
/// locks the same pair waits until this transaction ends (commit or rollback).
///
/// The 64-bit lock key is `hashtextextended('<namespace>:<id>', 0)`, PostgreSQL's own
/// stable text hash of the namespace, a colon and the hyphenated UUID, so different
/// purposes (say `cart.checkout` and `reviews.verified`) never wait for each other by
/// design, only by a (negligible) hash collision.
pub async fn advisory_xact_lock(
    conn: impl sqlx::PgExecutor<'_>,
    namespace: &str,
    id: uuid::Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2::text, 0))")
        .bind(namespace)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
