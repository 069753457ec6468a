//! `/api/inventory/transfers`: atomic moves between stores, and their bad inputs.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, ReplyExt, assert_guarded};
use kit::testing::pages;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_transfer_moves_units_and_records_two_movements() {
    let app = App::start().await;
    let paris = app.store("PAR-01", json!({})).await;
    let lyon = app.store("LYO-01", json!({})).await;
    let (p, l) = (paris["id"].as_str().unwrap(), lyon["id"].as_str().unwrap());
    let product = Uuid::new_v4().to_string();
    app.stock(p, &product, 10, 0).await;

    let reply = app
        .post(
            "/api/inventory/transfers",
            &json!({ "fromStoreId": p, "toStoreId": l, "productId": product, "quantity": 4, "reason": "rebalance" }),
        )
        .await;
    reply.assert_status(201);
    let transfer = reply.body;
    assert_eq!(transfer["quantity"], 4);
    assert_eq!(app.item(p, &product).await["onHand"], 6);
    assert_eq!(app.item(l, &product).await["onHand"], 4);

    let movements = app
        .get(&format!("/api/inventory/movements?productId={product}"))
        .await;
    let transfer_moves: Vec<_> = movements.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["transferId"] == transfer["id"])
        .map(|m| {
            (
                m["kind"].clone(),
                m["delta"].as_i64().unwrap(),
                m["onHandAfter"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(transfer_moves.len(), 2);
    assert!(transfer_moves.contains(&(json!("transfer_out"), -4, 6)));
    assert!(transfer_moves.contains(&(json!("transfer_in"), 4, 4)));

    let id = transfer["id"].as_str().unwrap();
    let got = app.get(&format!("/api/inventory/transfers/{id}")).await;
    assert_eq!(got.body, transfer);
    let listed = app
        .get(&format!(
            "/api/inventory/transfers?storeId={l}&productId={product}"
        ))
        .await;
    assert_eq!(listed.body["total"], 1);
    let none = app
        .get(&format!(
            "/api/inventory/transfers?productId={}",
            Uuid::new_v4()
        ))
        .await;
    assert_eq!(none.body["total"], 0);
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u).await }
    };
    pages::assert_walk_is_whole("/api/inventory/transfers", get).await;
    app.stop().await;
}

#[tokio::test]
async fn transfer_bad_inputs_are_problems() {
    let app = App::start().await;
    let paris = app.store("PAR-01", json!({})).await;
    let lyon = app.store("LYO-01", json!({})).await;
    let nice = app.store("NCE-01", json!({})).await;
    let (p, l, n) = (
        paris["id"].as_str().unwrap(),
        lyon["id"].as_str().unwrap(),
        nice["id"].as_str().unwrap(),
    );
    let product = Uuid::new_v4().to_string();
    app.stock(p, &product, 5, 0).await;
    let body = |from: &str, to: &str, quantity: serde_json::Value| json!({ "fromStoreId": from, "toStoreId": to, "productId": product, "quantity": quantity });

    app.send(
        Method::POST,
        "/api/inventory/transfers",
        Some(&app.admin),
        Some("[".into()),
    )
    .await
    .assert_problem(400, "");
    app.post(
        "/api/inventory/transfers",
        &json!({ "fromStoreId": p, "toStoreId": l, "productId": product }),
    )
    .await
    .assert_problem(422, "quantity");
    app.post("/api/inventory/transfers", &body(p, l, json!("3")))
        .await
        .assert_problem(422, "quantity");
    app.post("/api/inventory/transfers", &body("PAR-01", l, json!(3)))
        .await
        .assert_problem(422, "fromStoreId");
    for quantity in [0, -3] {
        app.post("/api/inventory/transfers", &body(p, l, json!(quantity)))
            .await
            .assert_problem(422, "quantity");
    }
    app.post("/api/inventory/transfers", &body(p, p, json!(1)))
        .await
        .assert_problem(422, "toStoreId");
    let unknown = Uuid::new_v4().to_string();
    app.post("/api/inventory/transfers", &body(&unknown, l, json!(1)))
        .await
        .assert_problem(422, "fromStoreId");
    app.post("/api/inventory/transfers", &body(p, &unknown, json!(1)))
        .await
        .assert_problem(422, "toStoreId");

    // Not enough: 409 naming what is available; nothing moved.
    let short = app
        .post("/api/inventory/transfers", &body(p, l, json!(6)))
        .await;
    short.assert_problem(409, "quantity");
    assert!(
        short.body["detail"]
            .as_str()
            .unwrap()
            .contains("5 available")
    );
    let none_there = app
        .post("/api/inventory/transfers", &body(l, p, json!(1)))
        .await;
    none_there.assert_problem(409, "quantity");
    assert!(
        none_there.body["detail"]
            .as_str()
            .unwrap()
            .contains("0 available")
    );
    assert_eq!(app.item(p, &product).await["onHand"], 5);
    let never_stocked =
        json!({ "fromStoreId": p, "toStoreId": l, "productId": Uuid::new_v4(), "quantity": 1 });
    app.post("/api/inventory/transfers", &never_stocked)
        .await
        .assert_problem(409, "quantity");

    // Closed stores take part in no transfer.
    app.post(&format!("/api/stores/{n}/close"), &json!({}))
        .await
        .assert_status(200);
    app.post("/api/inventory/transfers", &body(p, n, json!(1)))
        .await
        .assert_problem(409, "toStoreId");
    app.get(&format!("/api/inventory/transfers/{unknown}"))
        .await
        .assert_problem(404, "");
    app.get("/api/inventory/transfers/xyz")
        .await
        .assert_problem(400, "id");
    app.get("/api/inventory/transfers?limit=-1")
        .await
        .assert_problem(422, "limit");
    let movements = app
        .get(&format!("/api/inventory/movements?productId={product}"))
        .await;
    assert_eq!(movements.body["total"], 1, "only the initial count");

    assert_guarded(&app, Method::GET, "/api/inventory/transfers", None, false).await;
    assert_guarded(
        &app,
        Method::POST,
        "/api/inventory/transfers",
        Some(body(p, l, json!(1))),
        true,
    )
    .await;
    app.stop().await;
}
