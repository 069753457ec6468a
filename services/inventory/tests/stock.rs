//! A store's stock: set, adjust, list with filters, movements, alerts, low-stock events;
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]
//! and their bad inputs.

mod common;

use common::{App, ReplyExt, assert_guarded, deliver, envelope};
use kit::testing::pages;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn stock_is_set_adjusted_and_every_change_is_a_movement() {
    let app = App::start().await;
    let store = app.store("PAR-01", json!({})).await;
    let s = store["id"].as_str().unwrap();
    let product = Uuid::new_v4().to_string();

    // An admin may stock a product the projection has not heard of yet.
    let item = app.stock(s, &product, 10, 3).await;
    assert_eq!(item["onHand"], 10);
    assert_eq!(item["available"], 10);
    assert_eq!(item["minStock"], 3);
    assert!(item["sku"].is_null());
    assert_eq!(item["productActive"], true);

    let path = format!("/api/stores/{s}/inventory/{product}");
    let adjusted = app
        .post(
            &format!("{path}/adjustments"),
            &json!({ "delta": -4, "reason": "damaged in transit" }),
        )
        .await;
    adjusted.assert_status(200);
    assert_eq!(adjusted.body["onHand"], 6);
    let up = app
        .post(
            &format!("{path}/adjustments"),
            &json!({ "delta": 5, "reason": "found" }),
        )
        .await;
    assert_eq!(up.body["onHand"], 11);
    // Only the minimum.
    let min = app
        .put(&path, &json!({ "minStock": 20, "reason": "busy season" }))
        .await;
    min.assert_status(200);
    assert_eq!(
        (
            min.body["onHand"].as_i64(),
            min.body["belowMinimum"].as_bool()
        ),
        (Some(11), Some(true))
    );

    // Too much removed: 409 naming the available quantity.
    let short = app
        .post(
            &format!("{path}/adjustments"),
            &json!({ "delta": -12, "reason": "x" }),
        )
        .await;
    short.assert_problem(409, "delta");
    assert!(
        short.body["detail"]
            .as_str()
            .unwrap()
            .contains("11 available")
    );

    let movements = app
        .get(&format!(
            "/api/inventory/movements?storeId={s}&productId={product}"
        ))
        .await;
    movements.assert_status(200);
    assert_eq!(movements.body["total"], 4);
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u).await }
    };
    pages::assert_walk_is_whole(
        &format!("/api/inventory/movements?storeId={s}&productId={product}"),
        get,
    )
    .await;
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u).await }
    };
    pages::assert_cursor_checked(
        &format!("/api/inventory/movements?storeId={s}"),
        &format!("/api/inventory/movements?productId={product}"),
        get,
    )
    .await;
    let deltas: Vec<i64> = movements.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["delta"].as_i64().unwrap())
        .collect();
    assert_eq!(deltas, [0, 5, -4, 10]);
    let first = &movements.body["items"][3];
    assert_eq!(first["kind"], "set");
    assert_eq!(first["reason"], "initial count");
    assert_eq!(first["onHandAfter"], 10);
    assert!(first["actorId"].is_string());

    // Time range: everything is before now and nothing before the first movement.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let before = app.get(&format!("/api/inventory/movements?to={now}")).await;
    assert_eq!(before.body["total"], 4);
    let after = app
        .get(&format!("/api/inventory/movements?from={now}"))
        .await;
    assert_eq!(after.body["total"], 0);

    // Movements are immutable, even for the database owner.
    let tampered = sqlx::query("UPDATE movements SET delta = 1000")
        .execute(&app.db.pool)
        .await;
    assert!(tampered.is_err());
    app.stop().await;
}

#[tokio::test]
async fn inventory_lists_filter_by_category_minimum_and_text() {
    let app = App::start().await;
    let store = app.store("PAR-01", json!({})).await;
    let s = store["id"].as_str().unwrap();
    let food = Uuid::new_v4();
    let toys = Uuid::new_v4();
    let products: Vec<(Uuid, &str, &str, Uuid)> = vec![
        (Uuid::new_v4(), "FOOD-1", "Kibble deluxe", food),
        (Uuid::new_v4(), "FOOD-2", "Wet food", food),
        (Uuid::new_v4(), "TOY-1", "Chew bone", toys),
    ];
    for (id, sku, name, category) in &products {
        let event = envelope(
            "catalog",
            "product.created",
            json!({
                "productId": id, "sku": sku, "name": name, "categoryId": category,
                "active": true, "price": { "amount": 100, "currency": "EUR" },
            }),
        );
        assert!(deliver(&app.db.pool, &event).await);
    }
    app.stock(s, &products[0].0.to_string(), 10, 2).await;
    app.stock(s, &products[1].0.to_string(), 1, 5).await;
    app.stock(s, &products[2].0.to_string(), 7, 0).await;

    let all = app.get(&format!("/api/stores/{s}/inventory")).await;
    all.assert_status(200);
    assert_eq!(all.pluck("sku"), ["FOOD-1", "FOOD-2", "TOY-1"]);
    assert_eq!(all.body["items"][0]["name"], "Kibble deluxe");
    let by_category = app
        .get(&format!("/api/stores/{s}/inventory?categoryId={food}"))
        .await;
    assert_eq!(by_category.pluck("sku"), ["FOOD-1", "FOOD-2"]);
    let below = app
        .get(&format!("/api/stores/{s}/inventory?belowMinimum=true"))
        .await;
    assert_eq!(below.pluck("sku"), ["FOOD-2"]);
    let not_below = app
        .get(&format!("/api/stores/{s}/inventory?belowMinimum=false"))
        .await;
    assert_eq!(not_below.body["total"], 2);
    let text = app.get(&format!("/api/stores/{s}/inventory?q=BONE")).await;
    assert_eq!(text.pluck("sku"), ["TOY-1"]);
    let page = app
        .get(&format!(
            "/api/stores/{s}/inventory?limit=1&offset=1&count=exact"
        ))
        .await;
    assert_eq!(
        (page.pluck("sku"), page.body["total"].as_i64()),
        (vec!["FOOD-2".to_string()], Some(3))
    );
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u).await }
    };
    pages::assert_walk_is_whole(&format!("/api/stores/{s}/inventory"), get).await;
    pages::assert_walk_is_whole("/api/inventory/alerts", get).await;
    pages::assert_cursor_checked(
        &format!("/api/stores/{s}/inventory"),
        &format!("/api/stores/{s}/inventory?q=o"),
        get,
    )
    .await;

    let alerts = app.get("/api/inventory/alerts").await;
    alerts.assert_status(200);
    assert_eq!(alerts.pluck("sku"), ["FOOD-2"]);
    let past_end = app.get("/api/inventory/alerts?offset=5&count=exact").await;
    assert_eq!(past_end.body["total"], 1);
    assert_eq!(past_end.body["items"], json!([]));
    let other = app.store("LYO-01", json!({})).await;
    let mine = app
        .get(&format!(
            "/api/inventory/alerts?storeId={}",
            other["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(mine.body["total"], 0);

    // product.updated renames; product.deleted stops selling but keeps the stock.
    let (id, ..) = products[2];
    let renamed = envelope(
        "catalog",
        "product.updated",
        json!({ "productId": id, "name": "Squeaky bone", "previous": { "active": true } }),
    );
    assert!(deliver(&app.db.pool, &renamed).await);
    let item = app.item(s, &id.to_string()).await;
    assert_eq!(
        (item["name"].as_str(), item["sku"].as_str()),
        (Some("Squeaky bone"), Some("TOY-1"))
    );
    let deleted = envelope("catalog", "product.deleted", json!({ "productId": id }));
    assert!(deliver(&app.db.pool, &deleted).await);
    assert!(
        !deliver(&app.db.pool, &deleted).await,
        "a redelivery is skipped"
    );
    let item = app.item(s, &id.to_string()).await;
    assert_eq!(
        (item["productActive"].as_bool(), item["onHand"].as_i64()),
        (Some(false), Some(7))
    );
    let revived = envelope(
        "catalog",
        "product.updated",
        json!({ "productId": id, "active": true }),
    );
    deliver(&app.db.pool, &revived).await;
    assert_eq!(app.item(s, &id.to_string()).await["productActive"], false);
    app.stop().await;
}

#[tokio::test]
async fn low_stock_fires_once_per_crossing() {
    let app = App::start().await;
    let store = app.store("PAR-01", json!({})).await;
    let s = store["id"].as_str().unwrap();
    let product = Uuid::new_v4().to_string();
    let path = format!("/api/stores/{s}/inventory/{product}/adjustments");
    app.stock(s, &product, 10, 5).await;
    assert!(app.events_of("inventory.low_stock").await.is_empty());

    for delta in [-5, -1, -1] {
        app.post(&path, &json!({ "delta": delta, "reason": "sold" }))
            .await
            .assert_status(200);
    }
    let fired = app.events_of("inventory.low_stock").await;
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0]["storeId"], s);
    assert_eq!(fired[0]["productId"], product.as_str());
    assert_eq!(
        (
            fired[0]["available"].as_i64(),
            fired[0]["minStock"].as_i64()
        ),
        (Some(4), Some(5))
    );
    assert_eq!(fired[0]["onHand"], 4);

    // Back to the minimum re-arms; the next drop fires again.
    app.post(&path, &json!({ "delta": 2, "reason": "delivery" }))
        .await
        .assert_status(200);
    assert_eq!(app.events_of("inventory.low_stock").await.len(), 1);
    app.post(&path, &json!({ "delta": -1, "reason": "sold" }))
        .await
        .assert_status(200);
    assert_eq!(app.events_of("inventory.low_stock").await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn repeated_adjustments_and_transfers_never_pass_the_cap_together() {
    let app = App::start().await;
    let s = app.store("PAR-01", json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = app.store("LYO-01", json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let product = Uuid::new_v4().to_string();
    let path = format!("/api/stores/{s}/inventory/{product}/adjustments");
    let max = 1_000_000_000_i64;
    app.post(&path, &json!({ "delta": max, "reason": "delivery" }))
        .await
        .assert_status(200);
    // Each request alone is within bounds; the second would pass the cap with the first.
    let refused = app
        .post(&path, &json!({ "delta": max, "reason": "delivery" }))
        .await;
    refused.assert_status(409);
    assert_eq!(
        refused.body["errors"][0]["field"], "delta",
        "{:#}",
        refused.body
    );
    assert_eq!(app.item(&s, &product).await["onHand"], max);

    // A transfer into a full store is refused the same way, naming the quantity.
    let target = format!("/api/stores/{t}/inventory/{product}/adjustments");
    app.post(&target, &json!({ "delta": max, "reason": "delivery" }))
        .await
        .assert_status(200);
    app.post(&path, &json!({ "delta": -1, "reason": "sold" }))
        .await
        .assert_status(200);
    let transfer = app
        .post(
            "/api/inventory/transfers",
            &json!({ "fromStoreId": s, "toStoreId": t, "productId": product, "quantity": 1 }),
        )
        .await;
    transfer.assert_status(409);
    assert_eq!(
        transfer.body["errors"][0]["field"], "quantity",
        "{:#}",
        transfer.body
    );
    assert_eq!(app.item(&t, &product).await["onHand"], max);
    assert_eq!(app.item(&s, &product).await["onHand"], max - 1);
    app.stop().await;
}

#[tokio::test]
async fn stock_bad_inputs_are_problems() {
    let app = App::start().await;
    let store = app.store("PAR-01", json!({})).await;
    let s = store["id"].as_str().unwrap();
    let product = Uuid::new_v4().to_string();
    let path = format!("/api/stores/{s}/inventory/{product}");
    let adjust = format!("{path}/adjustments");

    app.send(Method::PUT, &path, Some(&app.admin), Some("{".into()))
        .await
        .assert_problem(400, "");
    app.put(&path, &json!({ "onHand": 5 }))
        .await
        .assert_problem(422, "reason");
    app.put(&path, &json!({ "onHand": "five", "reason": "x" }))
        .await
        .assert_problem(422, "onHand");
    app.put(
        &path,
        &json!({ "onHand": -1, "minStock": -2, "reason": "x" }),
    )
    .await
    .assert_problem(422, "minStock");
    app.put(&path, &json!({ "onHand": 2_000_000_000i64, "reason": "x" }))
        .await
        .assert_problem(422, "onHand");
    app.put(&path, &json!({ "reason": "nothing to set" }))
        .await
        .assert_problem(422, "onHand");
    app.put(&path, &json!({ "onHand": 1, "reason": "x".repeat(501) }))
        .await
        .assert_problem(422, "reason");
    app.put(&path, &json!({ "onHand": 1, "reason": "x", "extra": true }))
        .await
        .assert_problem(422, "extra");
    app.post(&adjust, &json!({ "delta": 0, "reason": "x" }))
        .await
        .assert_problem(422, "delta");
    app.post(&adjust, &json!({ "reason": "x" }))
        .await
        .assert_problem(422, "delta");
    app.post(&adjust, &json!({ "delta": 1.5, "reason": "x" }))
        .await
        .assert_problem(422, "delta");
    // Removing stock that was never there.
    app.post(&adjust, &json!({ "delta": -1, "reason": "x" }))
        .await
        .assert_problem(409, "delta");

    // Unknown store, unknown item, malformed ids.
    let unknown = Uuid::new_v4();
    let elsewhere = format!("/api/stores/{unknown}/inventory/{product}");
    app.put(&elsewhere, &json!({ "onHand": 1, "reason": "x" }))
        .await
        .assert_problem(404, "");
    app.post(
        &format!("{elsewhere}/adjustments"),
        &json!({ "delta": 1, "reason": "x" }),
    )
    .await
    .assert_problem(404, "");
    app.get(&elsewhere).await.assert_problem(404, "");
    app.get(&path).await.assert_problem(404, "");
    app.get(&format!("/api/stores/{unknown}/inventory"))
        .await
        .assert_problem(404, "");
    app.get(&format!("/api/stores/{s}/inventory/nope"))
        .await
        .assert_problem(400, "");
    app.get(&format!("/api/stores/{s}/inventory?categoryId=nope"))
        .await
        .assert_problem(422, "categoryId");
    app.get(&format!("/api/stores/{s}/inventory?belowMinimum=maybe"))
        .await
        .assert_problem(422, "belowMinimum");
    app.get(&format!("/api/stores/{s}/inventory?limit=500"))
        .await
        .assert_problem(422, "limit");
    app.get("/api/inventory/movements?from=yesterday")
        .await
        .assert_problem(422, "from");
    app.get("/api/inventory/movements?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
        .await
        .assert_problem(422, "from");
    app.get("/api/inventory/movements?storeId=7")
        .await
        .assert_problem(422, "storeId");
    app.get("/api/inventory/alerts?offset=-3")
        .await
        .assert_problem(422, "offset");

    // Reserved units cannot be set away.
    app.stock(s, &product, 5, 0).await;
    let order = Uuid::new_v4();
    assert!(
        deliver(
            &app.db.pool,
            &common::order_created(order, s, &[(&product, 4)])
        )
        .await
    );
    let below_reserved = app
        .put(&path, &json!({ "onHand": 3, "reason": "recount" }))
        .await;
    below_reserved.assert_problem(409, "onHand");
    assert!(
        below_reserved.body["detail"]
            .as_str()
            .unwrap()
            .contains("4 units reserved")
    );

    // A closed store's stock no longer changes, but can still be read.
    app.post(&format!("/api/stores/{s}/close"), &json!({}))
        .await
        .assert_status(200);
    app.put(&path, &json!({ "onHand": 9, "reason": "x" }))
        .await
        .assert_problem(409, "");
    app.post(&adjust, &json!({ "delta": 1, "reason": "x" }))
        .await
        .assert_problem(409, "");
    app.get(&path).await.assert_status(200);

    // Tokens and roles.
    for read in [
        format!("/api/stores/{s}/inventory"),
        path.clone(),
        "/api/inventory/alerts".to_string(),
        "/api/inventory/movements".to_string(),
    ] {
        assert_guarded(&app, Method::GET, &read, None, false).await;
    }
    assert_guarded(
        &app,
        Method::PUT,
        &path,
        Some(json!({ "onHand": 1, "reason": "x" })),
        true,
    )
    .await;
    assert_guarded(
        &app,
        Method::POST,
        &adjust,
        Some(json!({ "delta": 1, "reason": "x" })),
        true,
    )
    .await;
    app.stop().await;
}
