//! `POST /api/cart/checkout`: the exact `cart.checked_out` payload, the cart closed, and
//! idempotency.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::App;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn checkout_writes_the_event_and_closes_the_cart() {
    let app = App::start().await;
    let bone = app
        .product(json!({ "name": "Bone", "sku": "BONE-1", "price": { "amount": 250, "currency": "EUR" } }))
        .await;
    let ball = app
        .product(json!({ "name": "Ball", "sku": "BALL-1", "price": { "amount": 199, "currency": "EUR" } }))
        .await;
    app.add(&bone, 2).await;
    let cart = app.add(&ball, 3).await;
    let cart_id = cart.body["id"].as_str().unwrap().to_string();
    let store = Uuid::new_v4();

    let accepted = app.checkout(store, None).await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{:#}", accepted.body);
    assert_eq!(accepted.body["status"], "pending");
    let order_id = accepted.body["orderId"].as_str().unwrap().to_string();
    assert!(Uuid::parse_str(&order_id).is_ok());
    assert_eq!(
        accepted.location.as_deref(),
        Some(format!("/api/orders/{order_id}").as_str())
    );

    let events = app.events_of("cart.checked_out").await;
    assert_eq!(
        events,
        [json!({
            "cartId": cart_id,
            "userId": app.user.to_string(),
            "orderId": order_id,
            "storeId": store.to_string(),
            "lines": [
                { "productId": bone, "sku": "BONE-1", "name": "Bone", "quantity": 2,
                  "unitPrice": { "amount": 250, "currency": "EUR" } },
                { "productId": ball, "sku": "BALL-1", "name": "Ball", "quantity": 3,
                  "unitPrice": { "amount": 199, "currency": "EUR" } }
            ],
            "total": { "amount": 1097, "currency": "EUR" }
        })]
    );

    // The next use opens a new, empty cart.
    let next = app.cart().await;
    assert_ne!(next.body["id"], cart_id.as_str());
    assert_eq!(next.body["items"], json!([]));
    assert_eq!(app.events_of("cart.created").await.len(), 2);

    // Without a key, a second checkout of the now empty cart is refused.
    app.checkout(store, None).await.assert_problem(409, "");
    assert_eq!(app.events_of("cart.checked_out").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_same_idempotency_key_answers_with_the_same_order() {
    let app = App::start().await;
    let product = app.product(json!({})).await;
    app.add(&product, 1).await;
    let store = Uuid::new_v4();
    let first = app.checkout(store, Some("key-1")).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{:#}", first.body);
    // Meanwhile the customer fills a new cart; a retry must not check it out.
    app.add(&product, 2).await;
    let retry = app.checkout(store, Some("key-1")).await;
    assert_eq!(retry.status, StatusCode::ACCEPTED, "{:#}", retry.body);
    assert_eq!(retry.body["orderId"], first.body["orderId"]);
    assert_eq!(retry.location, first.location);
    assert_eq!(app.events_of("cart.checked_out").await.len(), 1);
    assert_eq!(
        app.cart().await.item_with("productId", &product)["quantity"],
        2
    );

    // The same key for another store is a conflict, not a silent answer.
    app.checkout(Uuid::new_v4(), Some("key-1"))
        .await
        .assert_problem(409, "Idempotency-Key");
    // Keys belong to their user: another customer's "key-1" is a checkout of their own.
    let (_, other) = app.keys.token(kit::auth::Role::Customer);
    let theirs = app
        .send_with(
            Method::POST,
            "/api/cart/checkout",
            Some(&other),
            Some(json!({ "storeId": store }).to_string()),
            &[("idempotency-key", "key-1")],
        )
        .await;
    theirs.assert_problem(409, "");

    let second = app.checkout(store, Some("key-2")).await;
    assert_eq!(second.status, StatusCode::ACCEPTED);
    assert_ne!(second.body["orderId"], first.body["orderId"]);
    assert_eq!(app.events_of("cart.checked_out").await.len(), 2);

    let long = "k".repeat(256);
    app.checkout(store, Some(&long))
        .await
        .assert_problem(422, "Idempotency-Key");
    app.stop().await;
}

#[tokio::test]
async fn bad_checkouts_are_refused() {
    let app = App::start().await;
    app.checkout(Uuid::new_v4(), None)
        .await
        .assert_problem(409, "");
    let post = |body: String| {
        app.send(
            Method::POST,
            "/api/cart/checkout",
            Some(&app.token),
            Some(body),
        )
    };
    post("{".into()).await.assert_problem(400, "");
    post("{}".into()).await.assert_problem(422, "storeId");
    post(json!({ "storeId": "store-1" }).to_string())
        .await
        .assert_problem(422, "storeId");
    post(json!({ "storeId": Uuid::new_v4(), "coupon": "x" }).to_string())
        .await
        .assert_problem(422, "coupon");
    assert!(app.events_of("cart.checked_out").await.is_empty());
    app.stop().await;
}
