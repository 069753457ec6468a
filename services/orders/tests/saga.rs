//! The consumers, through the real RabbitMQ: checkout creates orders, the saga's events
//! move them; duplicates have one effect and late events never move an order backwards.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::App;
use kit::events::Envelope;
use serde_json::{Value, json};
use uuid::Uuid;

fn checkout(order: Uuid, user: Uuid, total: i64) -> Value {
    json!({
        "cartId": Uuid::new_v4(), "userId": user, "orderId": order, "storeId": Uuid::new_v4(),
        "lines": [
            { "productId": Uuid::new_v4(), "sku": "A-1", "name": "Bone", "quantity": 2,
              "unitPrice": { "amount": 300, "currency": "EUR" } },
            { "productId": Uuid::new_v4(), "sku": "B-2", "name": "Ball", "quantity": 1,
              "unitPrice": { "amount": 150, "currency": "EUR" } }
        ],
        "total": { "amount": total, "currency": "EUR" }
    })
}

async fn history_len(app: &App, order: &str) -> usize {
    app.get(&format!("/api/orders/{order}/history"), &app.admin)
        .await
        .body
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_checkout_creates_its_order_once() {
    let mut app = App::start().await;
    let order = Uuid::new_v4();
    let event = Envelope::new(
        "cart",
        "cart.checked_out",
        &checkout(order, app.customer_id, 750),
    )
    .unwrap();
    let queue = app.checkout_queue.clone();
    app.publish(&queue, &event).await;
    app.publish(&queue, &event).await;
    // The same order id in another event (a cart retrying its checkout) is no second order.
    let retry = Envelope::new(
        "cart",
        "cart.checked_out",
        &checkout(order, app.customer_id, 750),
    )
    .unwrap();
    app.publish(&queue, &retry).await;
    app.wait_processed(event.id).await;
    app.wait_processed(retry.id).await;

    let id = order.to_string();
    let reply = app.get(&format!("/api/orders/{id}"), &app.customer).await;
    assert_eq!(reply.status.as_u16(), 200, "{:#}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    assert_eq!(reply.body["source"], "checkout");
    assert_eq!(reply.body["total"]["amount"], 750);
    assert_eq!(reply.body["lines"][0]["unitPrice"]["amount"], 300);
    assert_eq!(reply.body["lines"][1]["sku"], "B-2");
    assert_eq!(app.events_of("order.created", &id).await.len(), 1);
    let history = app
        .get(&format!("/api/orders/{id}/history"), &app.admin)
        .await;
    assert_eq!(history.body.as_array().unwrap().len(), 1);
    assert_eq!(history.body[0]["reason"], "created from a checkout");

    // A checkout whose total disagrees with its lines is dead-lettered, not guessed at.
    let bad_order = Uuid::new_v4();
    let bad = Envelope::new(
        "cart",
        "cart.checked_out",
        &checkout(bad_order, app.customer_id, 1),
    )
    .unwrap();
    app.publish(&queue, &bad).await;
    assert!(app.dead_lettered(&queue, bad.id, common::WAIT).await);
    app.get(&format!("/api/orders/{bad_order}"), &app.admin)
        .await
        .assert_problem(404, "");
    app.stop().await;
}

#[tokio::test]
async fn every_saga_event_has_one_effect_even_when_delivered_twice() {
    let mut app = App::start().await;
    let queue = app.saga_queue.clone();
    let paid = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reserved = Envelope::new(
        "inventory",
        "inventory.reserved",
        &json!({ "orderId": paid }),
    )
    .unwrap();
    app.publish(&queue, &reserved).await;
    app.publish(&queue, &reserved).await;
    let payment = Uuid::new_v4();
    let completed = Envelope::new(
        "payments",
        "payment.completed",
        &json!({ "paymentId": payment, "orderId": paid, "userId": app.customer_id,
                 "amount": { "amount": 2000, "currency": "EUR" } }),
    )
    .unwrap();
    app.publish(&queue, &completed).await;
    app.publish(&queue, &completed).await;

    let rejected_order = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rejected = Envelope::new(
        "inventory",
        "inventory.rejected",
        &json!({ "orderId": rejected_order, "reason": "out of stock",
                 "lines": [{ "productId": Uuid::new_v4(), "requested": 2, "available": 0 }] }),
    )
    .unwrap();
    app.publish(&queue, &rejected).await;
    app.publish(&queue, &rejected).await;

    let declined_order = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let declined = Envelope::new(
        "payments",
        "payment.failed",
        &json!({ "paymentId": Uuid::new_v4(), "orderId": declined_order,
                 "reason": "card declined", "amount": { "amount": 2000, "currency": "EUR" } }),
    )
    .unwrap();
    app.publish(&queue, &declined).await;
    app.publish(&queue, &declined).await;
    // One queue, handled in order: once the last is recorded, all copies were handled.
    app.wait_processed(declined.id).await;
    app.wait_processed(rejected.id).await;
    app.wait_processed(completed.id).await;

    assert_eq!(app.status(&paid).await, "paid");
    assert_eq!(history_len(&app, &paid).await, 3, "pending, reserved, paid");
    let order_paid = app.events_of("order.paid", &paid).await;
    assert_eq!(order_paid.len(), 1);
    assert_eq!(order_paid[0]["paymentId"], payment.to_string());

    assert_eq!(app.status(&rejected_order).await, "failed");
    assert_eq!(history_len(&app, &rejected_order).await, 2);
    let failed = app.events_of("order.failed", &rejected_order).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["reason"], "out of stock");

    assert_eq!(app.status(&declined_order).await, "failed");
    let failed = app.events_of("order.failed", &declined_order).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["reason"], "card declined");
    let reply = app
        .get(&format!("/api/orders/{declined_order}"), &app.customer)
        .await;
    assert_eq!(reply.body["statusReason"], "card declined");

    let processed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM kit.processed_events WHERE consumer = 'orders' \
             AND event_id = ANY($1)",
    )
    .bind(vec![reserved.id, completed.id, rejected.id, declined.id])
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(processed, 4);
    app.stop().await;
}

#[tokio::test]
async fn late_events_never_move_an_order_backwards() {
    let mut app = App::start().await;
    // Paid, then a late inventory.reserved and a late payment.failed: still paid.
    let paid = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.saga(
        "payment.completed",
        json!({ "paymentId": Uuid::new_v4(), "orderId": paid }),
    )
    .await;
    app.saga("inventory.reserved", json!({ "orderId": paid }))
        .await;
    app.saga(
        "payment.failed",
        json!({ "paymentId": Uuid::new_v4(), "orderId": paid, "reason": "x" }),
    )
    .await;
    app.saga(
        "inventory.rejected",
        json!({ "orderId": paid, "reason": "x" }),
    )
    .await;
    assert_eq!(app.status(&paid).await, "paid");
    assert_eq!(history_len(&app, &paid).await, 2);
    assert!(app.events_of("order.failed", &paid).await.is_empty());

    // Cancelled, then payment.completed arrives: stays cancelled, no order.paid (payments
    // refunds the charge when it handles order.cancelled).
    let cancelled = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.saga("inventory.reserved", json!({ "orderId": cancelled }))
        .await;
    let reply = app
        .post(
            &format!("/api/orders/{cancelled}/cancel"),
            &app.customer,
            &json!({}),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 200);
    app.saga(
        "payment.completed",
        json!({ "paymentId": Uuid::new_v4(), "orderId": cancelled }),
    )
    .await;
    assert_eq!(app.status(&cancelled).await, "cancelled");
    assert!(app.events_of("order.paid", &cancelled).await.is_empty());
    assert_eq!(
        app.events_of("order.cancelled", &cancelled).await[0]["wasPaid"],
        false
    );

    // Failed, then payment.completed: stays failed.
    let failed = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.saga(
        "inventory.rejected",
        json!({ "orderId": failed, "reason": "none left" }),
    )
    .await;
    app.saga(
        "payment.completed",
        json!({ "paymentId": Uuid::new_v4(), "orderId": failed }),
    )
    .await;
    assert_eq!(app.status(&failed).await, "failed");

    // An event for an order that does not exist goes to the dead-letter queue.
    let queue = app.saga_queue.clone();
    let unknown = Envelope::new(
        "inventory",
        "inventory.reserved",
        &json!({ "orderId": Uuid::new_v4() }),
    )
    .unwrap();
    app.publish(&queue, &unknown).await;
    assert!(
        app.dead_lettered(&queue, unknown.id, Duration::from_secs(20))
            .await
    );
    app.stop().await;
}

#[tokio::test]
async fn a_checkout_handed_over_synchronously_is_readable_at_once_and_created_once() {
    let mut app = App::start().await;
    let order = Uuid::new_v4();
    let body = checkout(order, app.customer_id, 750);
    let created = app.post("/internal/checkouts", &app.customer, &body).await;
    assert_eq!(created.status.as_u16(), 201, "{:#}", created.body);
    assert_eq!(created.body["status"], "pending");
    assert_eq!(created.body["id"], order.to_string());
    let id = order.to_string();
    let read = app.get(&format!("/api/orders/{id}"), &app.customer).await;
    assert_eq!(read.status.as_u16(), 200, "{:#}", read.body);
    assert_eq!(read.body["lines"][0]["unitPrice"]["amount"], 300);

    // A retry by the cart, then the event itself: still one order and one order.created.
    let again = app.post("/internal/checkouts", &app.customer, &body).await;
    assert_eq!(again.status.as_u16(), 200, "{:#}", again.body);
    let event = Envelope::new("cart", "cart.checked_out", &body).unwrap();
    let queue = app.checkout_queue.clone();
    app.publish(&queue, &event).await;
    app.wait_processed(event.id).await;
    assert_eq!(app.events_of("order.created", &id).await.len(), 1);
    assert_eq!(history_len(&app, &id).await, 1);

    // Only for the caller's own checkout, and only a checkout that adds up.
    let (_, stranger) = app.keys.token(kit::auth::Role::Customer);
    app.post(
        "/internal/checkouts",
        &stranger,
        &checkout(Uuid::new_v4(), app.customer_id, 750),
    )
    .await
    .assert_problem(403, "");
    let wrong = Uuid::new_v4();
    app.post(
        "/internal/checkouts",
        &app.customer,
        &checkout(wrong, app.customer_id, 1),
    )
    .await
    .assert_problem(422, "lines");
    app.get(&format!("/api/orders/{wrong}"), &app.admin)
        .await
        .assert_problem(404, "");
    let anonymous = app
        .send(
            reqwest::Method::POST,
            "/internal/checkouts",
            None,
            Some(body.to_string()),
        )
        .await;
    assert_eq!(anonymous.status.as_u16(), 401);
    app.stop().await;
}
