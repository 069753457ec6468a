//! Small SQL helpers every service's store needs.

use sqlx::{Postgres, QueryBuilder};

use crate::cursor::{Cursor, CursorError, KeyKind};
use crate::pagination::{Count, Page, PageOf, Start};

/// One sort key of a list: an expression of its `ORDER BY`, in order of significance;
/// the last key of every list is unique (the id), so pages never overlap or skip.
#[derive(Debug, Clone, Copy)]
pub struct SortKey<'a> {
    /// The SQL expression (e.g. `p.price_amount`, `lower(p.name)`), matching an index.
    pub expr: &'a str,
    /// Its type, to check and bind a cursor's value.
    pub kind: KeyKind,
    /// Descending (`DESC`).
    pub desc: bool,
    /// Whether the expression can be NULL (NULLs sort last in either direction).
    pub nullable: bool,
}

impl<'a> SortKey<'a> {
    /// An ascending, non-null key.
    pub const fn asc(expr: &'a str, kind: KeyKind) -> Self {
        Self {
            expr,
            kind,
            desc: false,
            nullable: false,
        }
    }

    /// A descending, non-null key.
    pub const fn desc(expr: &'a str, kind: KeyKind) -> Self {
        Self {
            expr,
            kind,
            desc: true,
            nullable: false,
        }
    }

    /// The same key, NULLs allowed (and sorted last).
    pub const fn nullable(self) -> Self {
        Self {
            nullable: true,
            ..self
        }
    }
}

/// The SQL of a paged list: what to select from where, in which order. Filters come from
/// a closure that appends ` AND ...` conditions to `WHERE TRUE`.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a> {
    /// Selected columns (e.g. `p.id, p.name`).
    pub columns: &'a str,
    /// The `FROM` of the page, joins included (e.g. `products p`).
    pub from: &'a str,
    /// The `FROM` of the exact count, with the same alias (often the same as `from`).
    pub count_from: &'a str,
    /// The order, most significant first, ending with a unique key.
    pub keys: &'a [SortKey<'a>],
    /// What makes this list this list (its filters and sort, e.g. the validated query's
    /// `Debug`): a cursor is only accepted by the list whose scope it was made in.
    pub scope: &'a str,
    /// How PostgreSQL plans the page's query.
    pub plan: Plan,
}

impl Listing<'_> {
    /// The same list, planned as `plan` says.
    #[must_use]
    pub fn planned(self, plan: Plan) -> Self {
        Self { plan, ..self }
    }
}

/// How a page's query is planned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Plan {
    /// Prepared once per connection and kept: after five executions PostgreSQL may keep one
    /// generic plan for every value. Right when the filters' values do not change which
    /// index serves the page best (equality on a key, a price range).
    #[default]
    Shared,
    /// Planned anew with the values of every request, never kept. For filters whose
    /// selectivity depends on the value, such as a text search: a generic plan cannot tell
    /// a term that matches ten rows (read them from the trigram index) from one that matches
    /// most of the table (walk the sort's index and filter), and the wrong choice reads the
    /// whole table for every page.
    PerRequest,
}

impl Plan {
    /// [`Plan::PerRequest`] when `search` is given, else [`Plan::Shared`].
    pub fn for_search<T>(search: Option<T>) -> Self {
        if search.is_some() {
            Self::PerRequest
        } else {
            Self::Shared
        }
    }
}

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The client's cursor does not fit this list.
    #[error("cursor {0}")]
    Cursor(#[from] CursorError),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<ListError> for crate::error::ApiError {
    fn from(err: ListError) -> Self {
        match err {
            ListError::Cursor(err) => Self::invalid("cursor", err.to_string()),
            ListError::Database(err) => err.into(),
        }
    }
}

/// A row of a page with the values of its sort keys, from which a cursor is made.
#[derive(Debug, sqlx::FromRow)]
struct Keyed<T> {
    #[sqlx(flatten)]
    row: T,
    cursor_key: sqlx::types::Json<Vec<serde_json::Value>>,
}

/// `ORDER BY` of `keys`.
fn push_order_by(qb: &mut QueryBuilder<'_, Postgres>, keys: &[SortKey<'_>]) {
    qb.push(" ORDER BY ");
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push(key.expr)
            .push(if key.desc { " DESC" } else { " ASC" });
        if key.nullable {
            qb.push(" NULLS LAST");
        }
    }
}

/// `$n::type` for a key's value.
fn push_value(qb: &mut QueryBuilder<'_, Postgres>, key: &SortKey<'_>, value: &str) {
    qb.push_bind(value.to_string())
        .push("::")
        .push(key.kind.sql_type());
}

/// Strictly after `value` in `key`'s order (NULLs last).
fn push_key_after(qb: &mut QueryBuilder<'_, Postgres>, key: &SortKey<'_>, value: &Option<String>) {
    match value {
        // Nothing sorts after NULL.
        None => {
            qb.push("FALSE");
        }
        Some(value) => {
            qb.push("(")
                .push(key.expr)
                .push(if key.desc { " < " } else { " > " });
            push_value(qb, key, value);
            if key.nullable {
                qb.push(" OR ").push(key.expr).push(" IS NULL");
            }
            qb.push(")");
        }
    }
}

/// Equal to `value` (NULL-aware).
fn push_key_equal(qb: &mut QueryBuilder<'_, Postgres>, key: &SortKey<'_>, value: &Option<String>) {
    match value {
        None => {
            qb.push(key.expr).push(" IS NULL");
        }
        Some(value) => {
            qb.push(key.expr).push(" = ");
            push_value(qb, key, value);
        }
    }
}

/// ` AND <rows after the cursor>`. With one direction and no NULL in play this is one row
/// comparison, `(k1, …, kn) > ($1, …, $n)`, which PostgreSQL turns into an index range.
/// Otherwise it is the lexicographic chain `k1 > v1 OR (k1 = v1 AND k2 > v2) OR …`,
/// NULL-aware, behind a bound on the first key so the index is still entered at the cursor.
fn push_after(
    qb: &mut QueryBuilder<'_, Postgres>,
    keys: &[SortKey<'_>],
    values: &[Option<String>],
) {
    let one_direction = keys.iter().all(|k| k.desc == keys[0].desc);
    let no_null = keys.iter().all(|k| !k.nullable);
    if one_direction && no_null {
        qb.push(" AND (");
        for (i, key) in keys.iter().enumerate() {
            qb.push(if i > 0 { ", " } else { "" }).push(key.expr);
        }
        qb.push(if keys[0].desc { ") < (" } else { ") > (" });
        for (i, (key, value)) in keys.iter().zip(values).enumerate() {
            qb.push(if i > 0 { ", " } else { "" });
            push_value(qb, key, value.as_deref().unwrap_or_default());
        }
        qb.push(")");
        return;
    }
    // The bound on the first key: at or after its value.
    qb.push(" AND (");
    push_key_after(qb, &keys[0], &values[0]);
    qb.push(" OR ");
    push_key_equal(qb, &keys[0], &values[0]);
    qb.push(") AND (");
    for i in 0..keys.len() {
        qb.push(if i > 0 { " OR (" } else { "(" });
        for j in 0..i {
            push_key_equal(qb, &keys[j], &values[j]);
            qb.push(" AND ");
        }
        push_key_after(qb, &keys[i], &values[i]);
        qb.push(")");
    }
    qb.push(")");
}

/// The `SELECT` of one page (with `prefix` before it, e.g. `EXPLAIN `), reading
/// `limit + 1` rows so the extra one says whether a next page exists.
fn page_query<'q>(
    prefix: &str,
    listing: Listing<'_>,
    filters: impl Fn(&mut QueryBuilder<'q, Postgres>),
    page: &Page,
) -> Result<QueryBuilder<'q, Postgres>, CursorError> {
    let keys = listing.keys;
    let mut qb = QueryBuilder::new(format!(
        "{prefix}SELECT {}, jsonb_build_array(",
        listing.columns
    ));
    for (i, key) in keys.iter().enumerate() {
        qb.push(if i > 0 { ", " } else { "" }).push(key.expr);
    }
    qb.push(format!(") AS cursor_key FROM {} WHERE TRUE", listing.from));
    filters(&mut qb);
    if let Start::After(cursor) = &page.start {
        let kinds: Vec<_> = keys.iter().map(|k| (k.kind, k.nullable)).collect();
        let values = cursor.bind_values(listing.scope, &kinds)?;
        push_after(&mut qb, keys, &values);
    }
    push_order_by(&mut qb, keys);
    // The limit is written into the SQL, not bound: it is a validated integer (1–101), and
    // known to the planner it lets PostgreSQL keep one generic plan per statement instead
    // of planning every execution anew (a bound LIMIT makes the generic plan look costly).
    qb.push(format_args!(" LIMIT {}", page.limit + 1));
    if page.offset() > 0 {
        qb.push(" OFFSET ").push_bind(page.offset());
    }
    Ok(qb)
}

/// One page of `listing` filtered by `filters`.
///
/// Reads by the list's order, from the cursor or skipping `offset`. `total` is counted
/// with a second query only for `count=exact`; otherwise it is given when the page holds
/// the list's end from its start, where it is free.
pub async fn fetch_page<'q, T>(
    db: impl sqlx::PgExecutor<'_> + Copy,
    listing: Listing<'_>,
    filters: impl Fn(&mut QueryBuilder<'q, Postgres>),
    page: &Page,
) -> Result<PageOf<T>, ListError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let mut qb = page_query("", listing, &filters, page)?;
    let mut rows: Vec<Keyed<T>> = qb
        .build_query_as()
        .persistent(listing.plan == Plan::Shared)
        .fetch_all(db)
        .await?;
    let more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(Cursor::new(listing.scope, last.cursor_key.0.clone()).encode()),
        _ => None,
    };
    let offset = page.offset();
    let from_start = matches!(page.start, Start::Offset(_));
    let total = if page.count == Count::Exact {
        let mut qb = QueryBuilder::new(format!(
            "SELECT COUNT(*) FROM {} WHERE TRUE",
            listing.count_from
        ));
        filters(&mut qb);
        Some(
            qb.build_query_scalar()
                .persistent(listing.plan == Plan::Shared)
                .fetch_one(db)
                .await?,
        )
    } else if from_start && !more && (offset == 0 || !rows.is_empty()) {
        Some(offset + rows.len() as i64)
    } else {
        None
    };
    Ok(PageOf {
        items: rows.into_iter().map(|r| r.row).collect(),
        next_cursor,
        total,
    })
}

/// PostgreSQL's plan (`EXPLAIN`) of the query [`fetch_page`] runs for this page, one line
/// per plan line: for tests and benchmarks that check a list is served by an index.
pub async fn explain_page<'q>(
    db: impl sqlx::PgExecutor<'_>,
    listing: Listing<'_>,
    filters: impl Fn(&mut QueryBuilder<'q, Postgres>),
    page: &Page,
) -> Result<String, ListError> {
    let mut qb = page_query("EXPLAIN ", listing, filters, page)?;
    let lines: Vec<String> = qb.build_query_scalar().fetch_all(db).await?;
    Ok(lines.join("\n"))
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
