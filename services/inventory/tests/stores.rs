//! `/api/stores`: create, list, get, update, close; and their bad inputs.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, ReplyExt, assert_guarded, store_body};
use kit::testing::pages;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn stores_are_created_listed_updated_and_closed() {
    let app = App::start().await;
    let paris = app.store("PAR-01", json!({})).await;
    assert_eq!(paris["status"], "open");
    assert_eq!(paris["address"]["postalCode"], "75011");
    let lyon = app
        .store(
            "LYO-01",
            json!({ "name": "Lyon Part-Dieu", "timezone": "Europe/Paris" }),
        )
        .await;
    let id = paris["id"].as_str().unwrap();

    let got = app.get(&format!("/api/stores/{id}")).await;
    got.assert_status(200);
    assert_eq!(got.body, paris);

    let page = app.get("/api/stores?limit=1&count=exact").await;
    page.assert_status(200);
    assert_eq!(page.body["total"], 2);
    assert_eq!(page.pluck("code"), ["PAR-01"]);
    let found = app.get("/api/stores?q=part-dieu").await;
    assert_eq!(found.pluck("code"), ["LYO-01"]);
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u).await }
    };
    pages::assert_walk_is_whole("/api/stores", get).await;
    pages::assert_cursor_checked("/api/stores", "/api/stores?q=a", get).await;

    let patched = app
        .patch(
            &format!("/api/stores/{id}"),
            &json!({ "name": "Paris Bastille", "timezone": "UTC" }),
        )
        .await;
    patched.assert_status(200);
    assert_eq!(patched.body["name"], "Paris Bastille");
    assert_eq!(patched.body["timezone"], "UTC");
    assert_eq!(patched.body["code"], "PAR-01");

    let closed = app
        .post(&format!("/api/stores/{id}/close"), &json!({}))
        .await;
    closed.assert_status(200);
    assert_eq!(closed.body["status"], "closed");
    assert!(closed.body["closedAt"].is_string());
    let again = app
        .post(&format!("/api/stores/{id}/close"), &json!({}))
        .await;
    again.assert_status(200);
    assert_eq!(again.body["closedAt"], closed.body["closedAt"]);

    let open = app.get("/api/stores?status=open").await;
    assert_eq!(open.pluck("code"), ["LYO-01"]);
    let closed_list = app.get("/api/stores?status=closed").await;
    assert_eq!(closed_list.pluck("code"), ["PAR-01"]);
    assert_eq!(lyon["status"], "open");
    app.stop().await;
}

#[tokio::test]
async fn store_bad_inputs_are_problems() {
    let app = App::start().await;
    let store = app.store("PAR-01", json!({})).await;
    let id = store["id"].as_str().unwrap();

    // Malformed JSON, wrong content type.
    app.send(
        Method::POST,
        "/api/stores",
        Some(&app.admin),
        Some("{\"code\": ".into()),
    )
    .await
    .assert_problem(400, "");
    // Missing and mistyped fields.
    let mut body = store_body("X");
    body.as_object_mut().unwrap().remove("name");
    app.post("/api/stores", &body)
        .await
        .assert_problem(422, "name");
    let mut body = store_body("X");
    body["address"]["city"] = json!(12);
    app.post("/api/stores", &body)
        .await
        .assert_problem(422, "address.city");
    let mut body = store_body("X");
    body["colour"] = json!("red");
    app.post("/api/stores", &body)
        .await
        .assert_problem(422, "colour");
    // Every bad field at once: code shape, over-long name, bad timezone, country.
    let reply = app
        .post(
            "/api/stores",
            &json!({
                "code": "par 01",
                "name": "x".repeat(201),
                "address": { "line1": "", "city": "Paris", "postalCode": "1".repeat(21), "country": "France" },
                "timezone": "Paris/Europe",
            }),
        )
        .await;
    reply.assert_problem(422, "code");
    for field in [
        "name",
        "timezone",
        "address.line1",
        "address.postalCode",
        "address.country",
    ] {
        assert!(reply.fields().contains(&field.to_string()), "{field}");
    }
    // Duplicate code: 409 naming it.
    let dup = app.post("/api/stores", &store_body("PAR-01")).await;
    dup.assert_problem(409, "code");
    assert!(dup.body["detail"].as_str().unwrap().contains("PAR-01"));
    app.store("LYO-01", json!({})).await;
    app.patch(&format!("/api/stores/{id}"), &json!({ "code": "LYO-01" }))
        .await
        .assert_problem(409, "code");
    app.patch(
        &format!("/api/stores/{id}"),
        &json!({ "timezone": "Mars/Base" }),
    )
    .await
    .assert_problem(422, "timezone");
    app.patch(&format!("/api/stores/{id}"), &json!({ "status": "closed" }))
        .await
        .assert_problem(422, "status");

    // Unknown and malformed ids.
    let unknown = Uuid::new_v4();
    app.get(&format!("/api/stores/{unknown}"))
        .await
        .assert_problem(404, "");
    app.get("/api/stores/not-a-uuid")
        .await
        .assert_problem(400, "id");
    app.patch(&format!("/api/stores/{unknown}"), &json!({ "name": "x" }))
        .await
        .assert_problem(404, "");
    app.post(&format!("/api/stores/{unknown}/close"), &json!({}))
        .await
        .assert_problem(404, "");

    // Bad query parameters.
    app.get("/api/stores?limit=0")
        .await
        .assert_problem(422, "limit");
    app.get("/api/stores?limit=101")
        .await
        .assert_problem(422, "limit");
    app.get("/api/stores?offset=-1")
        .await
        .assert_problem(422, "offset");
    app.get("/api/stores?status=demolished")
        .await
        .assert_problem(422, "status");
    app.get(&format!("/api/stores?q={}", "x".repeat(201)))
        .await
        .assert_problem(422, "q");

    // Tokens and roles.
    assert_guarded(&app, Method::GET, "/api/stores", None, false).await;
    assert_guarded(&app, Method::GET, &format!("/api/stores/{id}"), None, false).await;
    assert_guarded(
        &app,
        Method::POST,
        "/api/stores",
        Some(store_body("NEW")),
        true,
    )
    .await;
    assert_guarded(
        &app,
        Method::PATCH,
        &format!("/api/stores/{id}"),
        Some(json!({ "name": "x" })),
        true,
    )
    .await;
    assert_guarded(
        &app,
        Method::POST,
        &format!("/api/stores/{id}/close"),
        None,
        true,
    )
    .await;
    app.stop().await;
}
