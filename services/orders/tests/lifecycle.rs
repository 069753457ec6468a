//! Cancel, ship and deliver, and the saga's events moving an order to paid.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, assert_auth};
use kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// Drives an order to `paid` through the saga queue; returns the payment id.
async fn pay(app: &mut App, order: &str) -> Uuid {
    app.saga(
        "inventory.reserved",
        json!({ "orderId": order, "storeId": Uuid::new_v4(), "lines": [] }),
    )
    .await;
    let payment = Uuid::new_v4();
    app.saga(
        "payment.completed",
        json!({ "paymentId": payment, "orderId": order, "userId": Uuid::new_v4(),
                "amount": { "amount": 2000, "currency": "EUR" } }),
    )
    .await;
    payment
}

fn ship_body() -> Value {
    json!({ "carrier": "DHL", "trackingNumber": "JD0123" })
}

#[tokio::test]
async fn a_paid_order_is_shipped_and_delivered() {
    let mut app = App::start().await;
    let order = app.order(&app.customer).await;
    let id = order["id"].as_str().unwrap().to_string();
    let ship = format!("/api/orders/{id}/ship");
    let deliver = format!("/api/orders/{id}/deliver");
    // Not before it is paid, nor delivered before shipped.
    app.post(&ship, &app.admin, &ship_body())
        .await
        .assert_problem(409, "");
    app.send(Method::POST, &deliver, Some(&app.admin), None)
        .await
        .assert_problem(409, "");

    let payment = pay(&mut app, &id).await;
    assert_eq!(app.status(&id).await, "paid");
    let paid = app.events_of("order.paid", &id).await;
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["paymentId"], payment.to_string());
    assert_eq!(paid[0]["total"], order["total"]);
    assert_eq!(paid[0]["lines"], order["lines"]);
    assert_eq!(paid[0]["userId"], app.customer_id.to_string());

    assert_auth(&app, Method::POST, &ship, Some(ship_body()), true).await;
    app.post(
        &ship,
        &app.admin,
        &json!({ "carrier": "", "trackingNumber": "x".repeat(101) }),
    )
    .await
    .assert_problem(422, "trackingNumber");
    app.post(&ship, &app.admin, &json!({ "carrier": "DHL" }))
        .await
        .assert_problem(422, "trackingNumber");
    app.send(Method::POST, &ship, Some(&app.admin), Some("{".into()))
        .await
        .assert_problem(400, "");
    app.post("/api/orders/nope/ship", &app.admin, &ship_body())
        .await
        .assert_problem(400, "id");
    app.post(
        &format!("/api/orders/{}/ship", Uuid::new_v4()),
        &app.admin,
        &ship_body(),
    )
    .await
    .assert_problem(404, "");

    let shipped = app.post(&ship, &app.admin, &ship_body()).await;
    assert_eq!(shipped.status, StatusCode::OK, "{:#}", shipped.body);
    assert_eq!(shipped.body["status"], "shipped");
    assert_eq!(shipped.body["shipment"]["carrier"], "DHL");
    assert_eq!(shipped.body["shipment"]["trackingNumber"], "JD0123");
    assert!(shipped.body["shipment"]["deliveredAt"].is_null());
    app.post(&ship, &app.admin, &ship_body())
        .await
        .assert_problem(409, "");

    // Not cancellable once shipped.
    app.post(
        &format!("/api/orders/{id}/cancel"),
        &app.customer,
        &json!({}),
    )
    .await
    .assert_problem(409, "");

    assert_auth(&app, Method::POST, &deliver, None, true).await;
    app.send(
        Method::POST,
        "/api/orders/nope/deliver",
        Some(&app.admin),
        None,
    )
    .await
    .assert_problem(400, "id");
    let unknown = format!("/api/orders/{}/deliver", Uuid::new_v4());
    app.send(Method::POST, &unknown, Some(&app.admin), None)
        .await
        .assert_problem(404, "");
    let delivered = app
        .send(Method::POST, &deliver, Some(&app.admin), None)
        .await;
    assert_eq!(delivered.status, StatusCode::OK);
    assert_eq!(delivered.body["status"], "delivered");
    assert!(delivered.body["shipment"]["deliveredAt"].is_string());
    app.send(Method::POST, &deliver, Some(&app.admin), None)
        .await
        .assert_problem(409, "");

    let history = app
        .get(&format!("/api/orders/{id}/history"), &app.customer)
        .await;
    let steps: Vec<_> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        steps,
        ["pending", "reserved", "paid", "shipped", "delivered"]
    );
    assert_eq!(history.body[2]["from"], "reserved");
    app.stop().await;
}

#[tokio::test]
async fn customers_cancel_their_own_orders_before_shipping() {
    let mut app = App::start().await;
    let id = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cancel = format!("/api/orders/{id}/cancel");
    // Another customer cannot see it, so cannot cancel it either: 404.
    let (_, other) = app.keys.token(Role::Customer);
    app.post(&cancel, &other, &json!({}))
        .await
        .assert_problem(404, "");
    assert_auth(&app, Method::POST, &cancel, None, false).await;
    app.post(
        &cancel,
        &app.customer,
        &json!({ "reason": "x".repeat(501) }),
    )
    .await
    .assert_problem(422, "reason");
    app.post(&cancel, &app.customer, &json!({ "why": "x" }))
        .await
        .assert_problem(422, "why");
    app.send(Method::POST, &cancel, Some(&app.customer), Some("{".into()))
        .await
        .assert_problem(400, "");
    app.post("/api/orders/nope/cancel", &app.customer, &json!({}))
        .await
        .assert_problem(400, "id");

    // No body at all is fine.
    let cancelled = app
        .send(Method::POST, &cancel, Some(&app.customer), None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:#}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.body["statusReason"], "cancelled by the customer");
    let events = app.events_of("order.cancelled", &id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["wasPaid"], false);
    assert_eq!(events[0]["reason"], "cancelled by the customer");
    assert_eq!(events[0]["userId"], app.customer_id.to_string());
    app.post(&cancel, &app.customer, &json!({}))
        .await
        .assert_problem(409, "");

    // A paid order can still be cancelled (by an admin here): wasPaid tells payments.
    let paid = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    pay(&mut app, &paid).await;
    let reply = app
        .post(
            &format!("/api/orders/{paid}/cancel"),
            &app.admin,
            &json!({ "reason": "out of stock" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let events = app.events_of("order.cancelled", &paid).await;
    assert_eq!(events[0]["wasPaid"], true);
    assert_eq!(events[0]["reason"], "out of stock");
    app.stop().await;
}
