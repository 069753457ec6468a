//! Query plans of the product and pet lists over 20,000 rows: every documented sort, on the
//! first page and on a deep cursor page, is read by an index (no scan and sort of the whole
//! table), and the text search uses the trigram indexes.
#![allow(clippy::unwrap_used)]

mod common;

use catalog::domain::Sort;
use catalog::domain::pet::PetQuery;
use catalog::domain::product::ProductQuery;
use catalog::store;
use common::App;
use kit::cursor::Cursor;
use kit::pagination::{Count, Page, Start};
use kit::sql::explain_page;
use sqlx::PgExecutor;

async fn seed(app: &App) {
    let pool = &app.db.pool;
    sqlx::query(
        "INSERT INTO categories (id, name, slug, parent_id) \
         SELECT gen_random_uuid(), 'c' || g, 'c' || g, NULL FROM generate_series(1, 20) g",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO products (id, sku, name, description, category_id, price_amount, currency, \
           created_at) \
         SELECT gen_random_uuid(), 'SKU-' || g, 'Product ' || md5(g::text), 'About ' || g, \
           (SELECT id FROM categories ORDER BY slug OFFSET g % 20 LIMIT 1), (g * 7919) % 100000, \
           'EUR', now() - g * interval '1 second' \
         FROM generate_series(1, 20000) g",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO pets (id, name, species, breed, category_id, price_amount, currency, \
           created_at) \
         SELECT gen_random_uuid(), 'Pet ' || md5(g::text), 'species' || (g % 30), 'breed' || g, \
           (SELECT id FROM categories ORDER BY slug OFFSET g % 20 LIMIT 1), (g * 7919) % 100000, \
           'EUR', now() - g * interval '1 second' \
         FROM generate_series(1, 20000) g",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
}

#[track_caller]
fn assert_indexed(plan: &str, table: &str, what: &str) {
    assert!(
        !plan.contains(&format!("Seq Scan on {table}")),
        "{what} reads the whole table:\n{plan}"
    );
}

fn page(start: Start) -> Page {
    Page {
        limit: 20,
        start,
        count: Count::None,
    }
}

/// The plan of the product page `page` of `query`, exactly as the store would run it.
async fn product_plan(db: impl PgExecutor<'_>, query: &ProductQuery, page: &Page) -> String {
    let scope = format!("{query:?}");
    let listing = store::products::listing(query, &scope);
    explain_page(
        db,
        listing,
        |qb| store::products::push_filters(qb, query),
        page,
    )
    .await
    .unwrap()
}

/// The plan of the pet page `page` of `query`, exactly as the store would run it.
async fn pet_plan(db: impl PgExecutor<'_>, query: &PetQuery, page: &Page) -> String {
    let scope = format!("{query:?}");
    let listing = store::pets::listing(query, &scope);
    explain_page(db, listing, |qb| store::pets::push_filters(qb, query), page)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_product_and_pet_sort_is_an_index_walk_on_any_page() {
    let app = App::start().await;
    seed(&app).await;
    let pool = &app.db.pool;
    let first = page(Start::Offset(0));
    for sort in Sort::ALL {
        let query = ProductQuery {
            sort,
            ..ProductQuery::default()
        };
        let plan = product_plan(pool, &query, &first).await;
        assert_indexed(&plan, "products", &format!("products {sort:?} page 1"));
        let deep = store::products::list(pool, &query, &page(Start::Offset(10_000)))
            .await
            .unwrap();
        let cursor = Cursor::decode(&deep.next_cursor.unwrap()).unwrap();
        let plan = product_plan(pool, &query, &page(Start::After(cursor))).await;
        assert_indexed(&plan, "products", &format!("products {sort:?} deep page"));
        assert!(plan.contains("Index Cond"), "enters at the cursor:\n{plan}");

        let query = PetQuery {
            sort,
            ..PetQuery::default()
        };
        let plan = pet_plan(pool, &query, &first).await;
        assert_indexed(&plan, "pets", &format!("pets {sort:?} page 1"));
    }
    app.stop().await;
}

/// At 20,000 rows PostgreSQL rightly prefers one sequential pass to three trigram bitmaps
/// (its GIN estimate does not know trigram frequencies). The check here is that the indexes
/// can serve a search at all, so whole-table passes (a sequential scan, or a walk of a sort
/// index filtering every row) are priced out for this connection.
#[tokio::test]
async fn text_search_can_be_served_by_the_trigram_indexes() {
    let app = App::start().await;
    seed(&app).await;
    let mut conn = app.db.pool.acquire().await.unwrap();
    for setting in ["SET enable_seqscan = off", "SET enable_indexscan = off"] {
        sqlx::query(setting).execute(&mut *conn).await.unwrap();
    }
    let first = page(Start::Offset(0));
    let query = ProductQuery {
        q: Some("SKU-1234".into()),
        ..ProductQuery::default()
    };
    let plan = product_plan(&mut *conn, &query, &first).await;
    for index in [
        "products_sku_trgm_idx",
        "products_name_trgm_idx",
        "products_description_trgm_idx",
    ] {
        assert!(plan.contains(index), "{index}: {plan}");
    }
    assert_indexed(&plan, "products", "product search");
    let query = PetQuery {
        q: Some("breed777".into()),
        ..PetQuery::default()
    };
    let plan = pet_plan(&mut *conn, &query, &first).await;
    assert!(plan.contains("pets_breed_trgm_idx"), "{plan}");
    drop(conn);
    app.stop().await;
}

/// A prepared statement run five times gets PostgreSQL's generic plan, which cannot tell a
/// term matching ten rows from one matching most of the table; for a selective term it
/// walked the sort's index through the whole table on every request (13 ms at 10,000
/// products, linear in the table). A search is therefore planned with its values on every
/// request, never kept as a prepared statement, while plain listings keep theirs.
#[tokio::test]
async fn a_search_is_planned_for_its_term_on_every_request() {
    let app = App::start().await;
    seed(&app).await;
    // One connection, so that what it kept prepared can be read back from it.
    let one = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(app.db.pool.connect_options().as_ref().clone())
        .await
        .unwrap();
    let search = ProductQuery {
        q: Some("SKU-1234".into()),
        ..ProductQuery::default()
    };
    let listing = ProductQuery::default();
    let first = page(Start::Offset(0));
    for _ in 0..8 {
        let found = store::products::list(&one, &search, &first).await.unwrap();
        assert!(found.items.iter().any(|p| p.sku == "SKU-1234"));
        let listed = store::products::list(&one, &listing, &first).await.unwrap();
        assert_eq!(listed.items.len(), 20);
    }
    let kept: Vec<String> = sqlx::query_scalar("SELECT statement FROM pg_prepared_statements")
        .fetch_all(&one)
        .await
        .unwrap();
    assert!(
        kept.iter()
            .any(|s| s.contains("FROM products") && !s.contains("ILIKE")),
        "the plain listing keeps its prepared statement: {kept:?}"
    );
    assert!(
        !kept.iter().any(|s| s.contains("ILIKE")),
        "no search is kept for a generic plan: {kept:?}"
    );
    one.close().await;
    app.stop().await;
}

/// Every page of a search, walked by cursor, against the matching rows read straight from
/// the table: the same rows in the same order, whichever plan PostgreSQL chose for each
/// page. `SKU-12` matches 1,111 of the 20,000 products, spread unevenly; `Product` matches
/// every row; `SKU-19999` one row, near the end of the order.
#[tokio::test]
async fn a_search_pages_through_exactly_the_matching_rows_in_order() {
    let app = App::start().await;
    seed(&app).await;
    let pool = &app.db.pool;
    for term in ["SKU-12", "Product", "SKU-19999"] {
        let expected: Vec<String> = sqlx::query_scalar(
            "SELECT sku FROM products WHERE name ILIKE $1 OR description ILIKE $1 \
             OR sku ILIKE $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(format!("%{term}%"))
        .fetch_all(pool)
        .await
        .unwrap();
        let query = ProductQuery {
            q: Some(term.into()),
            ..ProductQuery::default()
        };
        let mut seen = Vec::new();
        let mut start = Start::Offset(0);
        // Enough pages for "SKU-12"; "Product" is checked on its first pages only.
        for _ in 0..60 {
            let found = store::products::list(pool, &query, &page(start))
                .await
                .unwrap();
            seen.extend(found.items.iter().map(|p| p.sku.clone()));
            match found.next_cursor {
                Some(next) => start = Start::After(Cursor::decode(&next).unwrap()),
                None => break,
            }
        }
        assert!(!seen.is_empty(), "{term}");
        assert_eq!(seen, expected[..seen.len()], "{term}");
        if term != "Product" {
            assert_eq!(
                seen.len(),
                expected.len(),
                "{term}: every match, then the end"
            );
        }
    }
    app.stop().await;
}
