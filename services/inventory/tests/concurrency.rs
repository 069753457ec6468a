//! Concurrent transfers and reservations on the same rows, against the real PostgreSQL:
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]
//! stock never goes negative, reserved never exceeds on hand, no unit is lost or invented,
//! and the movement ledger adds up to what is on hand.

mod common;

use std::sync::Arc;

use common::{App, deliver, order_created, order_event};
use futures_util::future::join_all;
use rand::Rng;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, sqlx::FromRow)]
struct Row {
    on_hand: i64,
    reserved: i64,
}

#[tokio::test]
async fn concurrent_transfers_and_reservations_conserve_units() {
    let app = Arc::new(App::start().await);
    let a = app.store("AAA-01", json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = app.store("BBB-01", json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let p1 = Uuid::new_v4().to_string();
    let p2 = Uuid::new_v4().to_string();
    // 100 units of each product, split unevenly, with minimums so low-stock crossings happen.
    for (store, product, units) in [(&a, &p1, 70), (&b, &p1, 30), (&a, &p2, 50), (&b, &p2, 50)] {
        app.stock(store, product, units, 20).await;
    }

    let mut tasks = Vec::new();
    for i in 0..50 {
        let app = Arc::clone(&app);
        let (a, b, p1, p2) = (a.clone(), b.clone(), p1.clone(), p2.clone());
        tasks.push(tokio::spawn(async move {
            let (from, to) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
            let product = if i % 3 == 0 { &p2 } else { &p1 };
            let quantity = rand::thread_rng().gen_range(1..=15);
            let reply = app
                .post(
                    "/api/inventory/transfers",
                    &json!({ "fromStoreId": from, "toStoreId": to, "productId": product, "quantity": quantity }),
                )
                .await;
            assert!(
                matches!(reply.status.as_u16(), 201 | 409),
                "{}: {:#}",
                reply.status,
                reply.body
            );
            None
        }));
    }
    for i in 0..50 {
        let app = Arc::clone(&app);
        let (a, b, p1, p2) = (a.clone(), b.clone(), p1.clone(), p2.clone());
        tasks.push(tokio::spawn(async move {
            let store = if i % 2 == 0 { &a } else { &b };
            let (q1, q2) = {
                let mut rng = rand::thread_rng();
                (rng.gen_range(1..=6), rng.gen_range(0..=4))
            };
            // Lines in both orders, so unordered locking would deadlock.
            let lines: Vec<(&str, i64)> = match (i % 4, q2) {
                (_, 0) => vec![(p1.as_str(), q1)],
                (0 | 1, _) => vec![(p1.as_str(), q1), (p2.as_str(), q2)],
                _ => vec![(p2.as_str(), q2), (p1.as_str(), q1)],
            };
            let order = Uuid::new_v4();
            let event = order_created(order, store, &lines);
            assert!(deliver(&app.db.pool, &event).await);
            // A redelivery of the same event has no effect.
            assert!(!deliver(&app.db.pool, &event).await);
            // Settle a third of the orders concurrently with everything else.
            match i % 3 {
                0 => {
                    deliver(&app.db.pool, &order_event("paid", order)).await;
                }
                1 => {
                    deliver(&app.db.pool, &order_event("cancelled", order)).await;
                }
                _ => {}
            }
            Some(order)
        }));
    }
    let results = join_all(tasks).await;
    let orders: Vec<Uuid> = results
        .into_iter()
        .filter_map(|r| r.expect("task"))
        .collect();
    assert_eq!(orders.len(), 50);

    for product in [&p1, &p2] {
        let rows: Vec<Row> =
            sqlx::query_as("SELECT on_hand, reserved FROM stock WHERE product_id = $1::uuid")
                .bind(product)
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(rows.len(), 2);
        for row in &rows {
            assert!(row.on_hand >= 0 && row.reserved >= 0, "{row:?}");
            assert!(row.reserved <= row.on_hand, "{row:?}");
        }
        let on_hand: i64 = rows.iter().map(|r| r.on_hand).sum();
        let reserved: i64 = rows.iter().map(|r| r.reserved).sum();
        let (sold, held): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(quantity) FILTER (WHERE status = 'committed'), 0)::bigint, \
                    COALESCE(SUM(quantity) FILTER (WHERE status = 'held'), 0)::bigint \
             FROM reservations WHERE product_id = $1::uuid",
        )
        .bind(product)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        // Conservation: transfers are immediate (nothing in transit), so what is on hand
        // plus what was sold is what was stocked.
        assert_eq!(on_hand + sold, 100, "product {product}");
        assert_eq!(reserved, held, "product {product}");
        // The ledger adds up: per store, the movements' deltas sum to what is on hand.
        let ledger: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT st.store_id::text, st.on_hand, COALESCE(SUM(m.delta), 0)::bigint \
             FROM stock st LEFT JOIN movements m \
               ON m.store_id = st.store_id AND m.product_id = st.product_id \
             WHERE st.product_id = $1::uuid GROUP BY st.store_id, st.on_hand",
        )
        .bind(product)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        for (store, on_hand, deltas) in ledger {
            assert_eq!(on_hand, deltas, "ledger of {store}");
        }
    }
    // Every order was either reserved or rejected, exactly once.
    let outcomes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM kit.outbox WHERE event_type IN ('inventory.reserved', 'inventory.rejected') \
         AND (envelope->'data'->>'orderId')::uuid = ANY($1)",
    )
    .bind(&orders)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(outcomes, 50);

    let app = Arc::into_inner(app).expect("no task holds the app any more");
    app.stop().await;
}
