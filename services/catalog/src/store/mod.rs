//! SQL, and nothing else. Functions take a connection (or anything that executes), so a
//! handler can run a change and its outbox event in one transaction.

pub mod categories;
pub mod pets;
pub mod products;

use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::Sort;

pub use kit::cursor::KeyKind;
pub use kit::sql::{Listing, SortKey, contains_pattern, fetch_page};

/// Appends `AND <alias>.category_id IN (<category and all its descendants>)`.
///
/// `UNION` (not `UNION ALL`) makes the recursion stop even if the tree were ever corrupted
/// into a cycle.
pub fn push_category_subtree(qb: &mut QueryBuilder<'_, Postgres>, alias: &str, category: Uuid) {
    qb.push(format!(" AND {alias}.category_id IN (WITH RECURSIVE tree(id) AS (SELECT id FROM categories WHERE id = "))
        .push_bind(category)
        .push(" UNION SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT id FROM tree)");
}

/// The sort keys of a sort over the table aliased `p`; `id` breaks ties so pages never
/// overlap. The expressions match the indexes of the migrations (`lower(name)`,
/// `price_amount`, `created_at`, each with `id`).
pub fn sort_keys(sort: Sort) -> &'static [SortKey<'static>] {
    const ID_ASC: SortKey = SortKey::asc("p.id", KeyKind::Uuid);
    const ID_DESC: SortKey = SortKey::desc("p.id", KeyKind::Uuid);
    const NAME_ASC: &[SortKey] = &[SortKey::asc("lower(p.name)", KeyKind::Text), ID_ASC];
    const NAME_DESC: &[SortKey] = &[SortKey::desc("lower(p.name)", KeyKind::Text), ID_DESC];
    const PRICE_ASC: &[SortKey] = &[SortKey::asc("p.price_amount", KeyKind::Int), ID_ASC];
    const PRICE_DESC: &[SortKey] = &[SortKey::desc("p.price_amount", KeyKind::Int), ID_DESC];
    const CREATED_ASC: &[SortKey] = &[SortKey::asc("p.created_at", KeyKind::Time), ID_ASC];
    const CREATED_DESC: &[SortKey] = &[SortKey::desc("p.created_at", KeyKind::Time), ID_DESC];
    match sort {
        Sort::NameAsc => NAME_ASC,
        Sort::NameDesc => NAME_DESC,
        Sort::PriceAsc => PRICE_ASC,
        Sort::PriceDesc => PRICE_DESC,
        Sort::CreatedAsc => CREATED_ASC,
        Sort::CreatedDesc => CREATED_DESC,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sort_ends_with_the_id_in_its_direction() {
        for sort in Sort::ALL {
            let keys = sort_keys(sort);
            assert_eq!(keys.last().unwrap().expr, "p.id");
            assert!(keys.iter().all(|k| k.desc == keys[0].desc), "{sort:?}");
        }
    }
}
