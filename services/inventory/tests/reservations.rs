//! The order saga: reservations (all or nothing), release, commit, and idempotency through
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]
//! the real broker.

mod common;

use std::time::Duration;

use common::{App, WAIT, deliver, envelope, order_created, order_event};
use kit::testing::{amqp_connect, eventually};
use lapin::BasicProperties;
use lapin::options::{BasicPublishOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use serde_json::json;
use uuid::Uuid;

/// Outbox events of `event_type` about `order` (other tests' orders may reach this
/// instance's queue through the shared exchange, so counts are always per order).
async fn events_for(app: &App, event_type: &str, order: Uuid) -> Vec<serde_json::Value> {
    app.events_of(event_type)
        .await
        .into_iter()
        .filter(|e| e["orderId"] == order.to_string())
        .collect()
}

async fn reserved_of(app: &App, order: Uuid) -> i64 {
    sqlx::query_scalar(
        "SELECT COALESCE(SUM(quantity), 0)::bigint FROM reservations WHERE order_id = $1",
    )
    .bind(order)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn orders_reserve_all_or_nothing_then_release_or_commit() {
    let app = App::start().await;
    let store = app.store("PAR-01", json!({})).await;
    let s = store["id"].as_str().unwrap();
    let (a, b) = (Uuid::new_v4().to_string(), Uuid::new_v4().to_string());
    app.stock(s, &a, 10, 0).await;
    app.stock(s, &b, 2, 0).await;

    // Two lines of one product merge; everything is held.
    let first = Uuid::new_v4();
    assert!(
        deliver(
            &app.db.pool,
            &order_created(first, s, &[(&a, 3), (&b, 2), (&a, 1)])
        )
        .await
    );
    let reserved = events_for(&app, "inventory.reserved", first).await;
    assert_eq!(reserved.len(), 1);
    assert_eq!(reserved[0]["orderId"], first.to_string());
    assert_eq!(reserved[0]["storeId"], s);
    assert_eq!(reserved[0]["lines"].as_array().unwrap().len(), 2);
    let item = app.item(s, &a).await;
    assert_eq!(
        (
            item["onHand"].as_i64(),
            item["reserved"].as_i64(),
            item["available"].as_i64()
        ),
        (Some(10), Some(4), Some(6))
    );

    // Not enough of b: nothing of a is held either.
    let second = Uuid::new_v4();
    assert!(deliver(&app.db.pool, &order_created(second, s, &[(&a, 1), (&b, 1)])).await);
    let rejected = events_for(&app, "inventory.rejected", second).await;
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["orderId"], second.to_string());
    let lines = rejected[0]["lines"].as_array().unwrap();
    let line_b = lines.iter().find(|l| l["productId"] == b.as_str()).unwrap();
    assert_eq!(
        (line_b["requested"].as_i64(), line_b["available"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(reserved_of(&app, second).await, 0);
    assert_eq!(app.item(s, &a).await["reserved"], 4);

    // Unknown product, unknown store, empty order: rejected.
    let ghost = Uuid::new_v4().to_string();
    let unknown_store = Uuid::new_v4().to_string();
    for (lines, store, reason) in [
        (vec![(ghost.as_str(), 1)], s, "a product is no longer sold"),
        (
            vec![(a.as_str(), 1)],
            unknown_store.as_str(),
            "the order's store does not exist",
        ),
        (
            vec![],
            s,
            "the order has no lines or a line with a quantity below 1",
        ),
        (
            vec![(a.as_str(), 0)],
            s,
            "the order has no lines or a line with a quantity below 1",
        ),
    ] {
        let order = Uuid::new_v4();
        deliver(&app.db.pool, &order_created(order, store, &lines)).await;
        let rejected = events_for(&app, "inventory.rejected", order).await;
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0]["reason"], reason);
    }
    assert_eq!(app.item(s, &a).await["reserved"], 4);

    // Paid: the units leave the store with a sale movement each.
    assert!(deliver(&app.db.pool, &order_event("paid", first)).await);
    let item = app.item(s, &a).await;
    assert_eq!(
        (item["onHand"].as_i64(), item["reserved"].as_i64()),
        (Some(6), Some(0))
    );
    assert_eq!(app.item(s, &b).await["onHand"], 0);
    let sales = app
        .get(&format!("/api/inventory/movements?productId={a}"))
        .await;
    let sale = &sales.body["items"][0];
    assert_eq!(
        (sale["kind"].as_str(), sale["delta"].as_i64()),
        (Some("sale"), Some(-4))
    );
    assert_eq!(sale["reason"], format!("order {first}"));
    // Cancelling a paid order brings its sold units back, once, with a return movement;
    // a second cancellation event (a new event id) has nothing left to return.
    deliver(&app.db.pool, &order_event("cancelled", first)).await;
    deliver(&app.db.pool, &order_event("cancelled", first)).await;
    assert_eq!(app.item(s, &a).await["onHand"], 10);
    assert_eq!(app.item(s, &b).await["onHand"], 2);
    let returns = app
        .get(&format!("/api/inventory/movements?productId={a}"))
        .await;
    let back = &returns.body["items"][0];
    assert_eq!(
        (back["kind"].as_str(), back["delta"].as_i64()),
        (Some("return"), Some(4))
    );
    let returned: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM reservations WHERE order_id = $1 AND status = 'returned'",
    )
    .bind(first)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(returned, 2);

    // Cancelled and failed orders give their units back, once.
    for kind in ["cancelled", "failed"] {
        let order = Uuid::new_v4();
        deliver(&app.db.pool, &order_created(order, s, &[(&a, 5)])).await;
        assert_eq!(app.item(s, &a).await["reserved"], 5);
        deliver(&app.db.pool, &order_event(kind, order)).await;
        deliver(&app.db.pool, &order_event(kind, order)).await;
        let item = app.item(s, &a).await;
        assert_eq!(
            (item["onHand"].as_i64(), item["reserved"].as_i64()),
            (Some(10), Some(0))
        );
        // A second order.created about the same order (a new event id) reserves nothing.
        deliver(&app.db.pool, &order_created(order, s, &[(&a, 5)])).await;
        assert_eq!(app.item(s, &a).await["reserved"], 0);
    }

    // Pet lines are not stocked here: a pet-only order is reserved with no lines, a mixed
    // one reserves only its product lines.
    let pets = Uuid::new_v4();
    let pet_line = json!({ "petId": Uuid::new_v4(), "quantity": 1 });
    let created = envelope(
        "orders",
        "order.created",
        json!({ "orderId": pets, "storeId": s, "lines": [pet_line] }),
    );
    deliver(&app.db.pool, &created).await;
    let reserved = events_for(&app, "inventory.reserved", pets).await;
    assert_eq!(reserved[0]["lines"], json!([]));
    let mixed = Uuid::new_v4();
    let created = envelope(
        "orders",
        "order.created",
        json!({ "orderId": mixed, "storeId": s, "lines": [pet_line, { "productId": a, "quantity": 2 }] }),
    );
    deliver(&app.db.pool, &created).await;
    assert_eq!(reserved_of(&app, mixed).await, 2);
    deliver(&app.db.pool, &order_event("cancelled", mixed)).await;

    // A deleted product is no longer sold.
    deliver(
        &app.db.pool,
        &envelope("catalog", "product.deleted", json!({ "productId": a })),
    )
    .await;
    let order = Uuid::new_v4();
    deliver(&app.db.pool, &order_created(order, s, &[(&a, 1)])).await;
    let rejected = events_for(&app, "inventory.rejected", order).await;
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["reason"], "a product is no longer sold");
    app.stop().await;
}

#[tokio::test]
async fn a_redelivered_order_created_reserves_once_through_the_broker() {
    let app = App::start().await;
    let store = app.store("PAR-01", json!({})).await;
    let s = store["id"].as_str().unwrap();
    let product = Uuid::new_v4().to_string();
    app.stock(s, &product, 10, 0).await;

    // Wait until the consumer is attached (its queue is declared and bound first).
    let conn = amqp_connect().await;
    let queue = app.queue(inventory::ORDERS_QUEUE);
    assert!(
        eventually(WAIT, || {
            let conn = &conn;
            let queue = queue.clone();
            async move {
                let Ok(channel) = conn.create_channel().await else {
                    return false;
                };
                let declared = channel
                    .queue_declare(
                        queue.as_str().into(),
                        QueueDeclareOptions {
                            passive: true,
                            ..QueueDeclareOptions::default()
                        },
                        FieldTable::default(),
                    )
                    .await;
                matches!(declared, Ok(q) if q.consumer_count() > 0)
            }
        })
        .await,
        "the consumer never attached"
    );

    let order = Uuid::new_v4();
    let event = order_created(order, s, &[(&product, 3)]);
    let payload = serde_json::to_vec(&event).unwrap();
    let channel = conn.create_channel().await.unwrap();
    for _ in 0..2 {
        channel
            .basic_publish(
                kit::events::EVENTS_EXCHANGE.into(),
                "order.created".into(),
                BasicPublishOptions::default(),
                &payload,
                BasicProperties::default().with_delivery_mode(2),
            )
            .await
            .unwrap()
            .await
            .unwrap();
    }
    assert!(
        eventually(WAIT, || async {
            let seen = kit::testing::processed(&app.db.pool, event.id).await;
            seen == 1 && events_for(&app, "inventory.reserved", order).await.len() == 1
        })
        .await
    );
    // Give the duplicate time to be consumed (it is acked as a duplicate).
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.item(s, &product).await["reserved"], 3);
    assert_eq!(reserved_of(&app, order).await, 3);
    assert_eq!(events_for(&app, "inventory.reserved", order).await.len(), 1);
    let _ = conn.close(200, "done".into()).await;
    app.stop().await;
}
