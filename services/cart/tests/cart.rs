//! `/api/cart` and `/api/cart/items` against the real PostgreSQL, RabbitMQ and catalog.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, WAIT, assert_authenticated};
use kit::auth::Role;
use kit::testing::eventually;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn the_cart_is_opened_once_on_first_use() {
    let app = App::start().await;
    let first = app.cart().await;
    assert_eq!(first.status, StatusCode::OK, "{:#}", first.body);
    assert_eq!(first.body["userId"], app.user.to_string());
    assert_eq!(first.body["items"], json!([]));
    assert_eq!(first.body["subtotals"], json!([]));
    assert_eq!(first.body["itemCount"], 0);
    assert!(first.body["createdAt"].as_str().unwrap().ends_with('Z'));
    let again = app.cart().await;
    assert_eq!(again.body["id"], first.body["id"]);
    let created = app.events_of("cart.created").await;
    assert_eq!(
        created,
        [json!({ "cartId": first.body["id"], "userId": app.user.to_string() })]
    );
    app.stop().await;
}

#[tokio::test]
async fn items_are_added_merged_changed_and_removed_with_totals() {
    let app = App::start().await;
    let bone = app
        .product(json!({ "name": "Bone", "sku": "BONE-1", "price": { "amount": 250, "currency": "EUR" } }))
        .await;
    let ball = app
        .product(json!({ "name": "Ball", "price": { "amount": 199, "currency": "EUR" } }))
        .await;

    let added = app.add(&bone, 2).await;
    assert_eq!(added.status, StatusCode::CREATED, "{:#}", added.body);
    let item = added.item_with("productId", &bone);
    assert_eq!(item["sku"], "BONE-1");
    assert_eq!(item["name"], "Bone");
    assert_eq!(item["quantity"], 2);
    assert_eq!(
        item["unitPrice"],
        json!({ "amount": 250, "currency": "EUR" })
    );
    assert_eq!(
        item["lineTotal"],
        json!({ "amount": 500, "currency": "EUR" })
    );
    assert_eq!(item["available"], true);

    // Adding the same product again adds to its quantity.
    let merged = app.add(&bone, 3).await;
    assert_eq!(merged.status, StatusCode::CREATED);
    assert_eq!(merged.item_with("productId", &bone)["quantity"], 5);
    let both = app.add(&ball, 1).await;
    assert_eq!(both.pluck("productId"), [bone.clone(), ball.clone()]);
    assert_eq!(
        both.body["subtotals"],
        json!([{ "amount": 1449, "currency": "EUR" }])
    );
    assert_eq!(both.body["itemCount"], 6);

    // The sum must stay within 99.
    app.add(&bone, 95).await.assert_problem(422, "quantity");
    assert_eq!(
        app.cart().await.item_with("productId", &bone)["quantity"],
        5
    );

    let changed = app
        .send(
            Method::PATCH,
            &format!("/api/cart/items/{bone}"),
            Some(&app.token),
            Some(json!({ "quantity": 99 }).to_string()),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:#}", changed.body);
    assert_eq!(
        changed.item_with("productId", &bone)["lineTotal"]["amount"],
        24750
    );

    // Quantity 0 removes the item.
    let zero = app
        .send(
            Method::PATCH,
            &format!("/api/cart/items/{bone}"),
            Some(&app.token),
            Some(json!({ "quantity": 0 }).to_string()),
        )
        .await;
    assert_eq!(zero.status, StatusCode::OK);
    assert_eq!(zero.pluck("productId"), [ball.as_str()]);

    let removed = app
        .send(
            Method::DELETE,
            &format!("/api/cart/items/{ball}"),
            Some(&app.token),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    app.send(
        Method::DELETE,
        &format!("/api/cart/items/{ball}"),
        Some(&app.token),
        None,
    )
    .await
    .assert_problem(404, "");
    assert_eq!(app.cart().await.body["items"], json!([]));

    app.add(&ball, 1).await;
    app.add(&bone, 1).await;
    let cleared = app
        .send(Method::DELETE, "/api/cart", Some(&app.token), None)
        .await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    let empty = app.cart().await;
    assert_eq!(empty.body["items"], json!([]));
    assert_eq!(
        app.events_of("cart.created").await.len(),
        1,
        "the same cart"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_items_are_refused() {
    let app = App::start().await;
    let product = app.product(json!({})).await;
    let inactive = app.product(json!({ "active": false })).await;
    let dollars = app
        .product(json!({ "price": { "amount": 100, "currency": "USD" } }))
        .await;
    let post = |body: String| {
        app.send(
            Method::POST,
            "/api/cart/items",
            Some(&app.token),
            Some(body),
        )
    };

    post("{\"productId\": ".into())
        .await
        .assert_problem(400, "");
    post(json!({ "quantity": 1 }).to_string())
        .await
        .assert_problem(422, "productId");
    post(json!({ "productId": product }).to_string())
        .await
        .assert_problem(422, "quantity");
    post(json!({ "productId": "not-a-uuid", "quantity": 1 }).to_string())
        .await
        .assert_problem(422, "productId");
    post(json!({ "productId": product, "quantity": "two" }).to_string())
        .await
        .assert_problem(422, "quantity");
    post(json!({ "productId": product, "quantity": 1, "price": 1 }).to_string())
        .await
        .assert_problem(422, "price");
    for quantity in [0, -1, 100] {
        app.add(&product, quantity)
            .await
            .assert_problem(422, "quantity");
    }
    app.add(&Uuid::new_v4().to_string(), 1)
        .await
        .assert_problem(422, "productId");
    app.add(&inactive, 1).await.assert_problem(422, "productId");

    assert_eq!(app.add(&product, 1).await.status, StatusCode::CREATED);
    app.add(&dollars, 1).await.assert_problem(422, "productId");

    let patch = async |path: String, body: String| {
        app.send(Method::PATCH, &path, Some(&app.token), Some(body))
            .await
    };
    let path = format!("/api/cart/items/{product}");
    for quantity in [-1, 100] {
        patch(path.clone(), json!({ "quantity": quantity }).to_string())
            .await
            .assert_problem(422, "quantity");
    }
    patch(path.clone(), "{}".into())
        .await
        .assert_problem(422, "quantity");
    patch(path.clone(), "quantity=1".into())
        .await
        .assert_problem(400, "");
    patch(
        "/api/cart/items/not-a-uuid".into(),
        json!({ "quantity": 1 }).to_string(),
    )
    .await
    .assert_problem(400, "productId");
    patch(
        format!("/api/cart/items/{}", Uuid::new_v4()),
        json!({ "quantity": 1 }).to_string(),
    )
    .await
    .assert_problem(404, "");
    app.send(
        Method::DELETE,
        "/api/cart/items/not-a-uuid",
        Some(&app.token),
        None,
    )
    .await
    .assert_problem(400, "productId");
    app.stop().await;
}

#[tokio::test]
async fn every_route_needs_a_valid_token() {
    let app = App::start().await;
    let item = format!("/api/cart/items/{}", Uuid::new_v4());
    let quantity = json!({ "productId": Uuid::new_v4(), "quantity": 1 });
    assert_authenticated(&app, Method::GET, "/api/cart", None).await;
    assert_authenticated(&app, Method::DELETE, "/api/cart", None).await;
    assert_authenticated(&app, Method::POST, "/api/cart/items", Some(quantity)).await;
    assert_authenticated(&app, Method::PATCH, &item, Some(json!({ "quantity": 1 }))).await;
    assert_authenticated(&app, Method::DELETE, &item, None).await;
    assert_authenticated(
        &app,
        Method::POST,
        "/api/cart/checkout",
        Some(json!({ "storeId": Uuid::new_v4() })),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn a_user_only_ever_sees_their_own_cart() {
    let app = App::start().await;
    let product = app.product(json!({})).await;
    app.add(&product, 3).await;
    let (other, other_token) = app.keys.token(Role::Customer);
    let theirs = app
        .send(Method::GET, "/api/cart", Some(&other_token), None)
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.body["userId"], other.to_string());
    assert_eq!(theirs.body["items"], json!([]));
    assert_ne!(theirs.body["id"], app.cart().await.body["id"]);
    // The other user cannot touch the first user's items: they are not in their cart.
    app.send(
        Method::PATCH,
        &format!("/api/cart/items/{product}"),
        Some(&other_token),
        Some(json!({ "quantity": 1 }).to_string()),
    )
    .await
    .assert_problem(404, "");
    app.send(
        Method::DELETE,
        &format!("/api/cart/items/{product}"),
        Some(&other_token),
        None,
    )
    .await
    .assert_problem(404, "");
    app.send(Method::DELETE, "/api/cart", Some(&other_token), None)
        .await;
    assert_eq!(
        app.cart().await.item_with("productId", &product)["quantity"],
        3
    );
    app.stop().await;
}

#[tokio::test]
async fn a_catalog_that_is_down_is_503() {
    let app = App::with_catalog_down().await;
    app.add(&Uuid::new_v4().to_string(), 1)
        .await
        .assert_problem(503, "");
    app.stop().await;
}

#[tokio::test]
async fn health_ready_and_openapi() {
    let app = App::start().await;
    assert_eq!(
        app.send(Method::GET, "/health", None, None).await.status,
        StatusCode::OK
    );
    let app_ref = &app;
    assert!(
        eventually(WAIT, || async move {
            app_ref.send(Method::GET, "/ready", None, None).await.status == StatusCode::OK
        })
        .await,
        "database and broker become ready"
    );
    let doc = app.send(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.body["info"]["title"], "PetStore cart API");
    for path in [
        "/api/cart",
        "/api/cart/items/{productId}",
        "/api/cart/checkout",
    ] {
        assert!(doc.body["paths"][path].is_object(), "{path}");
    }
    assert!(doc.body["paths"]["/api/cart"]["get"]["security"].is_array());
    app.stop().await;
}
