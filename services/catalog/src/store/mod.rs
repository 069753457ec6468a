//! SQL, and nothing else. Functions take a connection (or anything that executes), so a
//! handler can run a change and its outbox event in one transaction.

pub mod categories;
pub mod pets;
pub mod products;

use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::Sort;

/// A list row together with the number of rows matching the filters (`COUNT(*) OVER ()`),
/// so that a page and its total come from one query.
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

/// Appends `AND <alias>.category_id IN (<category and all its descendants>)`.
///
/// `UNION` (not `UNION ALL`) makes the recursion stop even if the tree were ever corrupted
/// into a cycle.
pub fn push_category_subtree(qb: &mut QueryBuilder<'_, Postgres>, alias: &str, category: Uuid) {
    qb.push(format!(" AND {alias}.category_id IN (WITH RECURSIVE tree(id) AS (SELECT id FROM categories WHERE id = "))
        .push_bind(category)
        .push(" UNION SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT id FROM tree)");
}

/// `ORDER BY` clause of a sort; `id` breaks ties so pages never overlap. The expressions
/// match the indexes of the migration (`lower(name)`, `price_amount`, `created_at`).
pub fn order_by(sort: Sort, alias: &str) -> String {
    let (expr, dir) = match sort {
        Sort::NameAsc => ("lower({a}.name)", "ASC"),
        Sort::NameDesc => ("lower({a}.name)", "DESC"),
        Sort::PriceAsc => ("{a}.price_amount", "ASC"),
        Sort::PriceDesc => ("{a}.price_amount", "DESC"),
        Sort::CreatedAsc => ("{a}.created_at", "ASC"),
        Sort::CreatedDesc => ("{a}.created_at", "DESC"),
    };
    let expr = expr.replace("{a}", alias);
    format!(" ORDER BY {expr} {dir}, {alias}.id {dir}")
}

/// An `ILIKE` pattern matching `text` anywhere, with the pattern's wildcards escaped so a
/// search for `50%` means the characters, not "50 and anything".
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn orders_break_ties_by_id() {
        assert_eq!(
            order_by(Sort::PriceDesc, "p"),
            " ORDER BY p.price_amount DESC, p.id DESC"
        );
        assert_eq!(
            order_by(Sort::NameAsc, "x"),
            " ORDER BY lower(x.name) ASC, x.id ASC"
        );
    }
}
