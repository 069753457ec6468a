//! Charging on inventory.reserved, through the real RabbitMQ: once per order, with the
//! documented decline rule, whatever order the events arrive in.
#![allow(clippy::unwrap_used)]

mod common;

use common::App;
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn a_reserved_order_is_charged_once() {
    let app = App::start().await;
    let order = Uuid::new_v4();
    app.order_created(order, app.customer_id, 2000).await;
    let pending = app.payment_of(order).await;
    assert_eq!(pending["status"], "pending");
    assert_eq!(
        pending["amount"],
        json!({ "amount": 2000, "currency": "EUR" })
    );
    assert_eq!(pending["userId"], app.customer_id.to_string());
    // A second order.created for the same order (another event id) records nothing more.
    app.order_created(order, app.customer_id, 2000).await;

    app.reserved(order).await;
    app.reserved(order).await;
    let payment = app.payment_of(order).await;
    assert_eq!(payment["status"], "completed");
    assert_eq!(payment["id"], pending["id"]);
    let completed = app.events_of("payment.completed", order).await;
    assert_eq!(completed.len(), 1, "charged once: {completed:#?}");
    assert_eq!(completed[0]["paymentId"], payment["id"]);
    assert_eq!(completed[0]["userId"], app.customer_id.to_string());
    assert_eq!(completed[0]["amount"]["amount"], 2000);
    assert!(app.events_of("payment.failed", order).await.is_empty());
    let id = payment["id"].as_str().unwrap();
    assert_eq!(
        app.audit(id).await,
        [
            (Value::Null, "pending".to_string()),
            (json!("pending"), "completed".to_string())
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_decline_rule_fails_payments() {
    let app = App::start().await;
    for (amount, reason) in [
        (1213, "card declined"),
        (100_000_001, "card limit exceeded"),
    ] {
        let order = Uuid::new_v4();
        app.order_created(order, app.customer_id, amount).await;
        app.reserved(order).await;
        let payment = app.payment_of(order).await;
        assert_eq!(payment["status"], "failed");
        assert_eq!(payment["declineReason"], reason);
        let failed = app.events_of("payment.failed", order).await;
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0]["reason"], reason);
        assert_eq!(failed[0]["amount"]["amount"], amount);
        assert_eq!(failed[0]["paymentId"], payment["id"]);
        assert!(app.events_of("payment.completed", order).await.is_empty());
    }
    // The limit itself and other cents are fine.
    for amount in [100_000_000, 1214] {
        let order = Uuid::new_v4();
        app.order_created(order, app.customer_id, amount).await;
        app.reserved(order).await;
        assert_eq!(app.payment_of(order).await["status"], "completed");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_reservation_that_overtakes_the_order_is_charged_when_the_order_arrives() {
    let app = App::start().await;
    let order = Uuid::new_v4();
    app.reserved(order).await;
    let none = app
        .get(&format!("/api/payments?orderId={order}"), &app.admin)
        .await;
    assert_eq!(none.body["total"], 0);
    app.order_created(order, app.customer_id, 999).await;
    let payment = app.payment_of(order).await;
    assert_eq!(payment["status"], "completed");
    assert_eq!(app.events_of("payment.completed", order).await.len(), 1);
    // A late duplicate of the reservation changes nothing.
    app.reserved(order).await;
    assert_eq!(app.events_of("payment.completed", order).await.len(), 1);
    let parked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM parked_events WHERE order_id = $1")
        .bind(order)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(parked, 0);

    // A cancellation that overtakes the order: never charged, even once reserved.
    let cancelled = Uuid::new_v4();
    app.cancelled(cancelled, false).await;
    app.order_created(cancelled, app.customer_id, 500).await;
    app.reserved(cancelled).await;
    let payment = app.payment_of(cancelled).await;
    assert_eq!(payment["status"], "cancelled");
    assert!(
        app.events_of("payment.completed", cancelled)
            .await
            .is_empty()
    );
    assert!(
        app.events_of("payment.refunded", cancelled)
            .await
            .is_empty()
    );
    app.stop().await;
}
