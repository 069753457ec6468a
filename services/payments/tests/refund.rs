//! Refunds on order.cancelled, through the real RabbitMQ: exactly once, and only of what
//! was charged.
#![allow(clippy::unwrap_used)]

mod common;

use common::App;
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn a_completed_payment_is_refunded_exactly_once() {
    let app = App::start().await;
    let order = Uuid::new_v4();
    app.order_created(order, app.customer_id, 4200).await;
    app.reserved(order).await;
    // Delivered twice, and then again as a new event (orders may cancel only once, but a
    // duplicate publication must not refund twice either).
    app.cancelled(order, true).await;
    app.cancelled(order, true).await;
    let payment = app.payment_of(order).await;
    assert_eq!(payment["status"], "refunded");
    let refunds = app.events_of("payment.refunded", order).await;
    assert_eq!(refunds.len(), 1, "{refunds:#?}");
    assert_eq!(refunds[0]["paymentId"], payment["id"]);
    assert_eq!(refunds[0]["refundId"], payment["refundId"]);
    assert_eq!(
        refunds[0]["amount"],
        json!({ "amount": 4200, "currency": "EUR" })
    );
    assert_eq!(refunds[0]["userId"], app.customer_id.to_string());
    let id = payment["id"].as_str().unwrap();
    assert_eq!(
        app.audit(id).await,
        [
            (Value::Null, "pending".to_string()),
            (json!("pending"), "completed".to_string()),
            (json!("completed"), "refunded".to_string())
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn payments_not_charged_are_not_refunded() {
    let app = App::start().await;
    // Cancelled before the charge: cancelled, and a later reservation charges nothing.
    let early = Uuid::new_v4();
    app.order_created(early, app.customer_id, 700).await;
    app.cancelled(early, false).await;
    app.reserved(early).await;
    assert_eq!(app.payment_of(early).await["status"], "cancelled");
    assert!(app.events_of("payment.completed", early).await.is_empty());
    assert!(app.events_of("payment.refunded", early).await.is_empty());

    // Failed at inventory: the intent is closed (order.failed, delivered twice) and a late
    // reservation charges nothing.
    let rejected = Uuid::new_v4();
    app.order_created(rejected, app.customer_id, 600).await;
    let data = serde_json::json!({ "orderId": rejected, "userId": app.customer_id,
                                   "storeId": Uuid::new_v4(), "reason": "out of stock" });
    app.deliver("order.failed", data, true).await;
    app.reserved(rejected).await;
    let payment = app.payment_of(rejected).await;
    assert_eq!(payment["status"], "cancelled");
    assert!(
        app.events_of("payment.completed", rejected)
            .await
            .is_empty()
    );
    let audit = app.audit(payment["id"].as_str().unwrap()).await;
    assert_eq!(audit.len(), 2, "{audit:?}");

    // Declined, then cancelled: nothing to refund.
    let declined = Uuid::new_v4();
    app.order_created(declined, app.customer_id, 1313).await;
    app.reserved(declined).await;
    app.cancelled(declined, false).await;
    assert_eq!(app.payment_of(declined).await["status"], "failed");
    assert!(app.events_of("payment.refunded", declined).await.is_empty());

    // Charged but orders had not seen it when the customer cancelled (wasPaid false):
    // payments refunds on its own records.
    let racing = Uuid::new_v4();
    app.order_created(racing, app.customer_id, 800).await;
    app.reserved(racing).await;
    app.cancelled(racing, false).await;
    assert_eq!(app.payment_of(racing).await["status"], "refunded");
    assert_eq!(app.events_of("payment.refunded", racing).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let app = App::start().await;
    let order = Uuid::new_v4();
    app.order_created(order, app.customer_id, 100).await;
    for statement in [
        "UPDATE payment_audit SET detail = 'rewritten'",
        "DELETE FROM payment_audit",
        "TRUNCATE payment_audit",
    ] {
        let err = sqlx::query(statement)
            .execute(&app.db.pool)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    let payment = app.payment_of(order).await["id"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payment_audit WHERE payment_id = $1")
        .bind(payment)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    app.stop().await;
}
