//! The cart's consumers, through the real RabbitMQ: the catalog's own events (replayed
//! from its outbox, twice, straight into the cart's queue) keep open carts current.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, publish};
use kit::events::Envelope;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_price_change_shows_in_the_cart_and_is_checked_out() {
    let app = App::start().await;
    let product = app
        .product(json!({ "price": { "amount": 1000, "currency": "EUR" } }))
        .await;
    app.add(&product, 2).await;
    let patched = app
        .catalog_send(
            Method::PATCH,
            &format!("/api/products/{product}"),
            json!({ "price": { "amount": 800, "currency": "EUR" }, "name": "Cheaper toy" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:#}", patched.body);
    let event = app.catalog_event("product.updated").await;
    publish(&app.queue(cart::PRODUCTS_QUEUE), &[&event, &event]).await;
    app.wait_processed(event.id).await;

    let cart = app.cart().await;
    let item = cart.item_with("productId", &product);
    assert_eq!(item["unitPrice"]["amount"], 800);
    assert_eq!(item["lineTotal"]["amount"], 1600);
    assert_eq!(item["name"], "Cheaper toy");
    assert_eq!(item["available"], true);
    assert_eq!(cart.body["subtotals"][0]["amount"], 1600);
    assert_eq!(
        app.processed(event.id).await,
        1,
        "one effect for two deliveries"
    );

    app.checkout(Uuid::new_v4(), None).await;
    let checked_out = app.events_of("cart.checked_out").await;
    assert_eq!(checked_out[0]["lines"][0]["unitPrice"]["amount"], 800);
    assert_eq!(checked_out[0]["total"]["amount"], 1600);
    app.stop().await;
}

#[tokio::test]
async fn a_deactivated_or_deleted_product_is_flagged_and_blocks_checkout() {
    let app = App::start().await;
    let kept = app.product(json!({})).await;
    let paused = app.product(json!({})).await;
    let deleted = app.product(json!({})).await;
    for product in [&kept, &paused, &deleted] {
        app.add(product, 1).await;
    }
    app.catalog_send(
        Method::PATCH,
        &format!("/api/products/{paused}"),
        json!({ "active": false }),
    )
    .await;
    let deactivated = app.catalog_event("product.updated").await;
    let gone = app
        .catalog_send(
            Method::DELETE,
            &format!("/api/products/{deleted}"),
            json!(null),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let removed = app.catalog_event("product.deleted").await;
    publish(
        &app.queue(cart::PRODUCTS_QUEUE),
        &[&deactivated, &removed, &removed],
    )
    .await;
    app.wait_processed(removed.id).await;

    let cart = app.cart().await;
    assert_eq!(cart.item_with("productId", &kept)["available"], true);
    assert_eq!(cart.item_with("productId", &paused)["available"], false);
    assert_eq!(cart.item_with("productId", &deleted)["available"], false);
    assert_eq!(cart.body["itemCount"], 1);
    assert_eq!(cart.body["subtotals"][0]["amount"], 1000);

    let refused = app.checkout(Uuid::new_v4(), None).await;
    refused.assert_problem(409, "items");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains(&deleted) && detail.contains(&paused),
        "{detail}"
    );

    for product in [&paused, &deleted] {
        app.send(
            Method::DELETE,
            &format!("/api/cart/items/{product}"),
            Some(&app.token),
            None,
        )
        .await;
    }
    assert_eq!(
        app.checkout(Uuid::new_v4(), None).await.status,
        StatusCode::ACCEPTED
    );
    app.stop().await;
}

#[tokio::test]
async fn a_registered_user_gets_one_cart_even_if_the_event_arrives_twice() {
    let app = App::start().await;
    let user = Uuid::new_v4();
    let registered = Envelope::new(
        "users",
        "user.registered",
        &json!({ "userId": user, "email": "a@b.co", "displayName": "A", "role": "customer",
                 "registeredAt": "2026-11-28T10:00:00Z" }),
    )
    .unwrap();
    publish(&app.queue(cart::USERS_QUEUE), &[&registered, &registered]).await;
    app.wait_processed(registered.id).await;
    let created: Vec<_> = app
        .events_of("cart.created")
        .await
        .into_iter()
        .filter(|e| e["userId"] == user.to_string())
        .collect();
    assert_eq!(created.len(), 1);
    let token = app.keys.token_for(user, kit::auth::Role::Customer);
    let cart = app.send(Method::GET, "/api/cart", Some(&token), None).await;
    assert_eq!(cart.body["id"], created[0]["cartId"]);
    app.stop().await;
}

#[tokio::test]
async fn a_malformed_product_event_is_dead_lettered() {
    let app = App::start().await;
    let poison = Envelope::new(
        "catalog",
        "product.updated",
        &json!({ "productId": "not-a-uuid" }),
    )
    .unwrap();
    publish(&app.queue(cart::PRODUCTS_QUEUE), &[&poison]).await;
    let amqp = kit::testing::amqp_connect().await;
    let channel = amqp.create_channel().await.unwrap();
    let dlq = kit::events::dlq_name(&app.queue(cart::PRODUCTS_QUEUE));
    let dead = kit::testing::get(&channel, &dlq, common::WAIT)
        .await
        .expect("the poison message reaches the dead-letter queue");
    let envelope: Envelope = serde_json::from_slice(&dead.data).unwrap();
    assert_eq!(envelope.id, poison.id);
    assert_eq!(app.processed(poison.id).await, 0, "no effect recorded");
    let _ = amqp.close(200, "done".into()).await;
    app.stop().await;
}
