//! SQL, and nothing else. Functions take a connection (or anything that executes), so a
//! handler can run a change and its outbox event in one transaction.

pub mod categories;
pub mod pets;
pub mod products;

use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::Sort;

pub use kit::sql::{Counted, Listing, contains_pattern, fetch_page, split_counted};

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

#[cfg(test)]
mod tests {
    use super::*;

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
