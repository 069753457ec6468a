//! `POST /api/orders`: pricing from the catalog, validation, idempotency.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, assert_auth};
use kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

fn body(lines: Value) -> Value {
    json!({ "storeId": Uuid::new_v4(), "lines": lines })
}

#[tokio::test]
async fn an_order_is_priced_from_the_catalog_and_announced() {
    let app = App::start().await;
    let food = app.product(1299, "EUR", true).await;
    let toy = app.product(250, "EUR", true).await;
    let store = Uuid::new_v4();
    let reply = app
        .post(
            "/api/orders",
            &app.customer,
            &json!({ "storeId": store, "lines": [
                { "productId": food, "quantity": 2 },
                { "productId": toy, "quantity": 3 }
            ]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    let order = &reply.body;
    assert_eq!(order["status"], "pending");
    assert_eq!(order["userId"], app.customer_id.to_string());
    assert_eq!(order["storeId"], store.to_string());
    assert_eq!(order["total"], json!({ "amount": 3348, "currency": "EUR" }));
    assert_eq!(order["lines"][0]["unitPrice"]["amount"], 1299);
    assert_eq!(order["lines"][0]["name"], "Chew toy");
    assert!(
        order["lines"][0]["sku"]
            .as_str()
            .unwrap()
            .starts_with("SKU-")
    );
    assert_eq!(order["lines"][1]["quantity"], 3);
    assert_eq!(order["source"], "api");

    let id = reply.id();
    let created = app.events_of("order.created", &id).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["total"]["amount"], 3348);
    assert_eq!(created[0]["userId"], app.customer_id.to_string());
    assert_eq!(created[0]["storeId"], store.to_string());
    assert_eq!(created[0]["lines"][1]["unitPrice"]["amount"], 250);
    assert_eq!(created[0]["lines"][1]["productId"], toy);

    let history = app
        .get(&format!("/api/orders/{id}/history"), &app.customer)
        .await;
    assert_eq!(history.status, StatusCode::OK);
    assert_eq!(history.body.as_array().unwrap().len(), 1);
    assert_eq!(history.body[0]["to"], "pending");
    assert!(history.body[0]["from"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn bad_bodies_are_refused_naming_the_field() {
    let app = App::start().await;
    let product = app.product(100, "EUR", true).await;
    let inactive = app.product(100, "EUR", false).await;
    let dollars = app.product(100, "USD", true).await;
    let send = |raw: String| app.send(Method::POST, "/api/orders", Some(&app.customer), Some(raw));

    send("{\"storeId\": ".into()).await.assert_problem(400, "");
    send(json!({ "lines": [] }).to_string())
        .await
        .assert_problem(422, "storeId");
    send(json!({ "storeId": "nope", "lines": [] }).to_string())
        .await
        .assert_problem(422, "storeId");
    send(body(json!([{ "productId": product, "quantity": "two" }])).to_string())
        .await
        .assert_problem(422, "lines[0].quantity");
    send(body(json!([{ "productId": product, "quantity": 1, "price": 1 }])).to_string())
        .await
        .assert_problem(422, "lines[0].price");
    send(body(json!([])).to_string())
        .await
        .assert_problem(422, "lines");
    for quantity in [0, -1, 101] {
        send(body(json!([{ "productId": product, "quantity": quantity }])).to_string())
            .await
            .assert_problem(422, "lines[0].quantity");
    }
    let many: Vec<Value> = (0..51)
        .map(|_| json!({ "productId": Uuid::new_v4(), "quantity": 1 }))
        .collect();
    send(body(Value::Array(many)).to_string())
        .await
        .assert_problem(422, "lines");
    send(
        body(json!([
            { "productId": product, "quantity": 1 },
            { "productId": product, "quantity": 2 }
        ]))
        .to_string(),
    )
    .await
    .assert_problem(422, "lines[1].productId");
    let reply = send(
        body(json!([
            { "productId": product, "quantity": 1 },
            { "productId": Uuid::new_v4(), "quantity": 1 },
            { "productId": inactive, "quantity": 1 }
        ]))
        .to_string(),
    )
    .await;
    reply.assert_problem(422, "lines[1].productId");
    assert_eq!(reply.fields(), ["lines[1].productId", "lines[2].productId"]);
    send(
        body(json!([
            { "productId": product, "quantity": 1 },
            { "productId": dollars, "quantity": 1 }
        ]))
        .to_string(),
    )
    .await
    .assert_problem(422, "lines[1].productId");
    // Nothing was created by any of these.
    assert_eq!(app.orders_of(app.customer_id).await, (0, 0));
    assert_auth(
        &app,
        Method::POST,
        "/api/orders",
        Some(body(json!([{ "productId": product, "quantity": 1 }]))),
        false,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn a_catalog_that_is_down_is_a_503() {
    // Nothing listens on a port that was bound and released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = App::start_with(Some(url)).await;
    app.post(
        "/api/orders",
        &app.customer,
        &body(json!([{ "productId": Uuid::new_v4(), "quantity": 1 }])),
    )
    .await
    .assert_problem(503, "");
    app.stop().await;
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_order() {
    let app = App::start().await;
    let product = app.product(500, "EUR", true).await;
    let request = body(json!([{ "productId": product, "quantity": 1 }]));
    let send = |token: String, request: Value, key: &'static str| {
        let app = &app;
        async move {
            app.send_to(
                &app.server,
                Method::POST,
                "/api/orders",
                Some(&token),
                Some(request.to_string()),
                Some(key),
            )
            .await
        }
    };
    let first = send(app.customer.clone(), request.clone(), "key-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{:#}", first.body);
    let again = send(app.customer.clone(), request.clone(), "key-1").await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.id(), first.id());
    assert_eq!(again.body, first.body);

    // The same key with another body is refused, naming the header.
    let other = body(json!([{ "productId": product, "quantity": 2 }]));
    send(app.customer.clone(), other, "key-1")
        .await
        .assert_problem(422, "Idempotency-Key");
    // Keys are per user: another customer's identical key is another order.
    let (someone_id, someone) = app.keys.token(Role::Customer);
    let theirs = send(someone, request.clone(), "key-1").await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(theirs.id(), first.id());
    // Without a key, every request is a new order.
    let plain = app.post("/api/orders", &app.customer, &request).await;
    assert_eq!(plain.status, StatusCode::CREATED);
    assert_ne!(plain.id(), first.id());
    assert_eq!(
        app.orders_of(app.customer_id).await,
        (2, 2),
        "one event per order"
    );
    assert_eq!(app.orders_of(someone_id).await, (1, 1));

    for bad in ["", "has space", &"k".repeat(256)] {
        let reply = app
            .client
            .post(app.server.url("/api/orders"))
            .bearer_auth(&app.customer)
            .header("Idempotency-Key", bad)
            .json(&request)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_order() {
    let app = App::start().await;
    let product = app.product(500, "EUR", true).await;
    let request = body(json!([{ "productId": product, "quantity": 1 }]));
    let replies = futures_util::future::join_all((0..8).map(|_| {
        app.send_to(
            &app.server,
            Method::POST,
            "/api/orders",
            Some(&app.customer),
            Some(request.to_string()),
            Some("race"),
        )
    }))
    .await;
    let mut ids = Vec::new();
    for reply in &replies {
        assert!(
            reply.status == StatusCode::CREATED || reply.status == StatusCode::OK,
            "{:#}",
            reply.body
        );
        ids.push(reply.id());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every reply names the same order");
    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count(),
        1
    );
    assert_eq!(app.orders_of(app.customer_id).await, (1, 1));
    app.stop().await;
}

#[tokio::test]
async fn of_two_racing_inserts_with_one_key_only_the_first_creates_an_order() {
    use orders::domain::Money;
    use orders::domain::order::OrderLine;
    use orders::store::orders::NewOrderRow;

    fn attempt() -> (Uuid, Money, Vec<OrderLine>) {
        let line = OrderLine {
            product_id: Uuid::new_v4(),
            pet_id: None,
            sku: "A".into(),
            name: "A".into(),
            quantity: 1,
            unit_price: Money::new(100, "EUR"),
        };
        (Uuid::new_v4(), Money::new(100, "EUR"), vec![line])
    }

    let app = App::start().await;
    let outbox = kit::events::Outbox::new("orders");
    let user = Uuid::new_v4();
    let store = Uuid::new_v4();
    let (id, total, lines) = attempt();
    let mut first = app.db.pool.begin().await.unwrap();
    let row = NewOrderRow {
        id,
        user_id: user,
        store_id: store,
        total: &total,
        source: "api",
        cart_id: None,
        idempotency_key: Some("race"),
    };
    assert!(
        orders::saga::create(&mut first, &outbox, &row, &lines)
            .await
            .unwrap()
    );

    // The second insert blocks on the first's uncommitted row (or runs after its commit):
    // either way it must see the conflict once the first commits, and write nothing.
    let pool = app.db.pool.clone();
    let second = tokio::spawn(async move {
        let outbox = kit::events::Outbox::new("orders");
        let (id, total, lines) = attempt();
        let mut tx = pool.begin().await.unwrap();
        let row = NewOrderRow {
            id,
            user_id: user,
            store_id: store,
            total: &total,
            source: "api",
            cart_id: None,
            idempotency_key: Some("race"),
        };
        let created = orders::saga::create(&mut tx, &outbox, &row, &lines)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        created
    });
    first.commit().await.unwrap();
    assert!(!second.await.unwrap(), "the second insert creates nothing");
    assert_eq!(app.orders_of(user).await, (1, 1));
    app.stop().await;
}
