//! Keyset pages of `kit::sql::fetch_page` against the real PostgreSQL: every order shape
//! the services use (one direction, mixed directions, a nullable key), walked page by page
//! and compared with the whole list read at once.
#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used)]

use kit::cursor::{Cursor, KeyKind};
use kit::pagination::{Count, Page, PageOf, PageParams, Start};
use kit::sql::{ListError, Listing, Plan, SortKey, explain_page, fetch_page};
use kit::testing::TestDatabase;
use kit::validate::Validator;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
struct Item {
    id: Uuid,
    name: Option<String>,
    price: i64,
    created_at: chrono::DateTime<chrono::Utc>,
}

const BY_PRICE_DESC: &[SortKey] = &[
    SortKey::desc("i.price", KeyKind::Int),
    SortKey::desc("i.id", KeyKind::Uuid),
];
const MIXED: &[SortKey] = &[
    SortKey::asc("i.price", KeyKind::Int),
    SortKey::desc("i.created_at", KeyKind::Time),
    SortKey::desc("i.id", KeyKind::Uuid),
];
const NULLABLE: &[SortKey] = &[
    SortKey::asc("i.name", KeyKind::Text).nullable(),
    SortKey::asc("i.id", KeyKind::Uuid),
];

async fn seed(pool: &PgPool, rows: i64) {
    sqlx::query(
        "CREATE TABLE items (id uuid PRIMARY KEY, name text NULL, price bigint NOT NULL, \
         created_at timestamptz NOT NULL)",
    )
    .execute(pool)
    .await
    .unwrap();
    // Few distinct prices and times, and some NULL names: ties everywhere, so only the
    // later keys keep pages apart.
    sqlx::query(
        "INSERT INTO items SELECT gen_random_uuid(), \
           CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || (g % 7) END, g % 5, \
           timestamptz '2026-12-01 00:00:00.123456+00' + (g % 3) * interval '1 microsecond' \
         FROM generate_series(1, $1) g",
    )
    .bind(rows)
    .execute(pool)
    .await
    .unwrap();
}

fn listing(keys: &'static [SortKey<'static>], scope: &'static str) -> Listing<'static> {
    Listing {
        columns: "i.id, i.name, i.price, i.created_at",
        from: "items i",
        count_from: "items i",
        keys,
        scope,
        plan: Plan::Shared,
    }
}

fn cheap(qb: &mut QueryBuilder<'_, Postgres>) {
    qb.push(" AND i.price < 4");
}

async fn page(
    pool: &PgPool,
    listing: Listing<'_>,
    limit: i64,
    start: Start,
) -> Result<PageOf<Item>, ListError> {
    let page = Page {
        limit,
        start,
        count: Count::None,
    };
    fetch_page(pool, listing, cheap, &page).await
}

async fn whole(pool: &PgPool, listing: Listing<'_>) -> Vec<Item> {
    page(pool, listing, 10_000, Start::Offset(0))
        .await
        .unwrap()
        .items
}

/// Follows `nextCursor` to the end, checking each page's size.
async fn walk(pool: &PgPool, listing: Listing<'_>, limit: i64) -> Vec<Item> {
    let mut seen = Vec::new();
    let mut start = Start::Offset(0);
    loop {
        let page = page(pool, listing, limit, start).await.unwrap();
        seen.extend(page.items.iter().cloned());
        match page.next_cursor {
            Some(next) => {
                assert_eq!(
                    page.items.len() as i64,
                    limit,
                    "only the last page is short"
                );
                start = Start::After(Cursor::decode(&next).unwrap());
            }
            None => return seen,
        }
    }
}

#[tokio::test]
async fn walking_by_cursor_visits_every_row_once_in_order() {
    let db = TestDatabase::create().await;
    seed(&db.pool, 103).await;
    for (keys, scope) in [
        (BY_PRICE_DESC, "price desc"),
        (MIXED, "mixed"),
        (NULLABLE, "nullable"),
    ] {
        let listing = listing(keys, scope);
        let all = whole(&db.pool, listing).await;
        assert!(all.len() > 60, "{scope}: the filter keeps most rows");
        for limit in [1, 7, 20] {
            assert_eq!(
                walk(&db.pool, listing, limit).await,
                all,
                "{scope} by {limit}"
            );
        }
    }
    db.drop_database().await;
}

#[tokio::test]
async fn total_is_exact_when_asked_or_free_and_null_otherwise() {
    let db = TestDatabase::create().await;
    seed(&db.pool, 50).await;
    let listing = listing(BY_PRICE_DESC, "t");
    let matching = whole(&db.pool, listing).await.len() as i64;
    assert_eq!(matching, 40);

    let first = page(&db.pool, listing, 10, Start::Offset(0)).await.unwrap();
    assert_eq!(
        first.total, None,
        "a page with more after it is not counted"
    );
    let everything = page(&db.pool, listing, 100, Start::Offset(0))
        .await
        .unwrap();
    assert_eq!(everything.total, Some(matching), "one page holds all: free");
    assert_eq!(everything.next_cursor, None);
    let last_by_offset = page(&db.pool, listing, 100, Start::Offset(35))
        .await
        .unwrap();
    assert_eq!(last_by_offset.total, Some(matching));
    let past_end = page(&db.pool, listing, 10, Start::Offset(90))
        .await
        .unwrap();
    assert_eq!((past_end.items.len(), past_end.total), (0, None));

    let exact = Page {
        limit: 10,
        start: Start::Offset(90),
        count: Count::Exact,
    };
    let counted: PageOf<Item> = fetch_page(&db.pool, listing, cheap, &exact).await.unwrap();
    assert_eq!(counted.total, Some(matching));
    db.drop_database().await;
}

#[tokio::test]
async fn rows_inserted_between_pages_neither_repeat_nor_shift_the_walk() {
    let db = TestDatabase::create().await;
    seed(&db.pool, 30).await;
    let listing = listing(BY_PRICE_DESC, "insert");
    let first = page(&db.pool, listing, 10, Start::Offset(0)).await.unwrap();
    // New rows sorting before, at and after the cursor's position.
    sqlx::query(
        "INSERT INTO items SELECT gen_random_uuid(), 'new', p, now() FROM unnest(ARRAY[3, 2, 0]) p",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let cursor = Cursor::decode(first.next_cursor.as_deref().unwrap()).unwrap();
    let rest = {
        let mut rest = Vec::new();
        let mut start = Start::After(cursor);
        loop {
            let page = page(&db.pool, listing, 10, start).await.unwrap();
            rest.extend(page.items);
            match page.next_cursor {
                Some(next) => start = Start::After(Cursor::decode(&next).unwrap()),
                None => break,
            }
        }
        rest
    };
    let last = first.items.last().unwrap();
    for item in &first.items {
        assert!(!rest.contains(item), "no row of page 1 comes again");
    }
    for item in &rest {
        assert!(
            (item.price, item.id) < (last.price, last.id),
            "every later row sorts after the cursor"
        );
    }
    let all = whole(&db.pool, listing).await;
    let after_cursor: Vec<_> = all
        .into_iter()
        .filter(|i| (i.price, i.id) < (last.price, last.id))
        .collect();
    assert_eq!(
        rest, after_cursor,
        "rows inserted after the cursor are found"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn a_cursor_of_another_list_or_altered_is_a_cursor_error_not_a_database_error() {
    let db = TestDatabase::create().await;
    seed(&db.pool, 30).await;
    let first = page(&db.pool, listing(BY_PRICE_DESC, "a"), 5, Start::Offset(0))
        .await
        .unwrap();
    let text = first.next_cursor.unwrap();
    let cursor = Cursor::decode(&text).unwrap();
    // Same keys, other scope (the client changed a filter).
    let other_scope = page(
        &db.pool,
        listing(BY_PRICE_DESC, "b"),
        5,
        Start::After(cursor.clone()),
    )
    .await;
    assert!(matches!(other_scope, Err(ListError::Cursor(_))));
    // Other sort: another scope, and keys of other kinds.
    let other_sort = page(&db.pool, listing(MIXED, "a"), 5, Start::After(cursor)).await;
    assert!(matches!(other_sort, Err(ListError::Cursor(_))));
    // A forged cursor with a correct seal but values PostgreSQL cannot cast.
    let forged = Cursor::new("a", vec!["x".into(), "y".into()]);
    let forged = page(
        &db.pool,
        listing(BY_PRICE_DESC, "a"),
        5,
        Start::After(forged),
    )
    .await;
    assert!(matches!(forged, Err(ListError::Cursor(_))));
    // Through the parameters: a truncated cursor is refused on the `cursor` field.
    let mut v = Validator::new();
    PageParams {
        cursor: Some(text[..text.len() - 3].to_string()),
        ..PageParams::default()
    }
    .validate(&mut v);
    let problem = v.finish().unwrap_err().problem();
    assert_eq!(problem.errors[0].field, "cursor");
    db.drop_database().await;
}

#[tokio::test]
async fn a_deep_cursor_page_enters_the_index_at_the_cursor() {
    let db = TestDatabase::create().await;
    seed(&db.pool, 20_000).await;
    sqlx::query("CREATE INDEX items_price_idx ON items (price DESC, id DESC)")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("ANALYZE items")
        .execute(&db.pool)
        .await
        .unwrap();
    let listing = listing(BY_PRICE_DESC, "deep");
    let deep = page(&db.pool, listing, 20, Start::Offset(10_000))
        .await
        .unwrap();
    let cursor = Cursor::decode(deep.next_cursor.as_deref().unwrap()).unwrap();
    let after = Page {
        limit: 20,
        start: Start::After(cursor),
        count: Count::None,
    };
    let plan = explain_page(&db.pool, listing, cheap, &after)
        .await
        .unwrap();
    assert!(plan.contains("Index Cond"), "{plan}");
    assert!(!plan.contains("Sort"), "no sort of the table: {plan}");
    db.drop_database().await;
}
