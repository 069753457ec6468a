//! `/api/pets` against the real PostgreSQL and RabbitMQ.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, assert_admin_only};
use kit::testing::pages;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn create_get_update_delete_with_events() {
    let app = App::start().await;
    let category = app.category("dogs", None).await;
    let created = app
        .post(
            "/api/pets",
            &json!({
                "name": "Rex",
                "species": "dog",
                "breed": "beagle",
                "birthDate": "2024-03-01",
                "categoryId": category,
                "tags": ["friendly", "small"],
                "photoUrls": ["https://img.example/rex.jpg"],
                "price": { "amount": 45000, "currency": "EUR" }
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    let id = created.id();
    assert_eq!(created.body["status"], "available");
    assert_eq!(created.body["birthDate"], "2024-03-01");
    assert_eq!(created.body["tags"], json!(["friendly", "small"]));
    assert_eq!(
        created.body["price"],
        json!({ "amount": 45000, "currency": "EUR" })
    );

    let fetched = app.get(&format!("/api/pets/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, created.body);

    let updated = app
        .patch(
            &format!("/api/pets/{id}"),
            &json!({ "status": "pending", "breed": null, "tags": ["calm"] }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:#}", updated.body);
    assert_eq!(updated.body["status"], "pending");
    assert_eq!(updated.body["breed"], Value::Null);
    assert_eq!(updated.body["tags"], json!(["calm"]));
    assert_eq!(updated.body["name"], "Rex");

    assert_eq!(
        app.delete(&format!("/api/pets/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    app.get(&format!("/api/pets/{id}"))
        .await
        .assert_problem(404, "");

    let events: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|(t, _)| t.starts_with("pet."))
        .collect();
    let types: Vec<_> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["pet.created", "pet.updated", "pet.deleted"]);
    assert_eq!(events[0].1["petId"], id.as_str());
    assert_eq!(events[0].1["status"], "available");
    assert_eq!(events[0].1["categoryId"], category.as_str());
    assert_eq!(events[0].1["price"]["amount"], 45000);
    assert_eq!(events[1].1["status"], "pending");
    assert_eq!(events[1].1["previous"]["status"], "available");
    assert_eq!(events[2].1["petId"], id.as_str());
    app.stop().await;
}

#[tokio::test]
async fn bad_inputs_are_named() {
    let app = App::start().await;
    let category = app.category("bad", None).await;
    let base = json!({
        "name": "Rex", "species": "dog", "categoryId": category,
        "price": { "amount": 1, "currency": "EUR" }
    });
    let with = |overrides: Value| {
        let mut body = base.clone();
        common::merge(&mut body, overrides);
        body
    };
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).to_string();
    let cases = [
        (with(json!({ "species": null })), "species"),
        (with(json!({ "name": "" })), "name"),
        (with(json!({ "name": "n".repeat(101) })), "name"),
        (with(json!({ "status": "lost" })), "status"),
        (with(json!({ "birthDate": tomorrow })), "birthDate"),
        (with(json!({ "birthDate": "yesterday" })), "birthDate"),
        (with(json!({ "tags": ["t".repeat(33)] })), "tags[0]"),
        (with(json!({ "tags": [""] })), "tags[0]"),
        (
            with(json!({ "tags": (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>() })),
            "tags",
        ),
        (
            with(json!({ "photoUrls": ["ftp://x.example/a.png"] })),
            "photoUrls[0]",
        ),
        (
            with(json!({ "photoUrls": [format!("https://x.example/{}", "a".repeat(2048))] })),
            "photoUrls[0]",
        ),
        (
            with(
                json!({ "photoUrls": (0..11).map(|i| format!("https://x.example/{i}")).collect::<Vec<_>>() }),
            ),
            "photoUrls",
        ),
        (
            with(json!({ "price": { "amount": -1, "currency": "EUR" } })),
            "price.amount",
        ),
        (
            with(json!({ "price": { "amount": 1, "currency": "XX" } })),
            "price.currency",
        ),
        (with(json!({ "categoryId": Uuid::new_v4() })), "categoryId"),
    ];
    for (body, field) in cases {
        app.post("/api/pets", &body)
            .await
            .assert_problem(422, field);
    }
    app.send(
        Method::POST,
        "/api/pets",
        Some(&app.admin),
        Some("[".into()),
    )
    .await
    .assert_problem(400, "");
    app.get("/api/pets/123").await.assert_problem(400, "");
    app.get(&format!("/api/pets/{}", Uuid::new_v4()))
        .await
        .assert_problem(404, "");
    app.patch(
        &format!("/api/pets/{}", Uuid::new_v4()),
        &json!({ "name": "x" }),
    )
    .await
    .assert_problem(404, "");
    app.delete(&format!("/api/pets/{}", Uuid::new_v4()))
        .await
        .assert_problem(404, "");
    let pet = app.pet(&category, json!({})).await;
    let path = format!("/api/pets/{}", pet["id"].as_str().unwrap());
    app.patch(&path, &json!({ "status": "gone" }))
        .await
        .assert_problem(422, "status");
    app.patch(&path, &json!({ "photoUrls": ["not a url"] }))
        .await
        .assert_problem(422, "photoUrls[0]");
    assert_eq!(app.get("/api/pets").await.body["total"], 1);
    app.stop().await;
}

#[tokio::test]
async fn writes_are_admin_only() {
    let app = App::start().await;
    let category = app.category("guard", None).await;
    let pet = app.pet(&category, json!({})).await;
    let path = format!("/api/pets/{}", pet["id"].as_str().unwrap());
    let body = json!({ "name": "X", "species": "cat", "categoryId": category,
                       "price": { "amount": 1, "currency": "EUR" } });
    assert_admin_only(&app, Method::POST, "/api/pets", Some(body)).await;
    assert_admin_only(&app, Method::PATCH, &path, Some(json!({ "name": "y" }))).await;
    assert_admin_only(&app, Method::DELETE, &path, None).await;
    assert_eq!(app.get(&path).await.body["name"], "Rex");
    app.stop().await;
}

async fn names(app: &App, query: &str) -> (Vec<String>, i64) {
    let reply = app.get(&format!("/api/pets?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {:#}", reply.body);
    (reply.pluck("name"), reply.body["total"].as_i64().unwrap())
}

fn list(v: &[&str]) -> (Vec<String>, i64) {
    let names: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    let total = names.len() as i64;
    (names, total)
}

#[tokio::test]
async fn filters_sorts_and_pages() {
    let app = App::start().await;
    let mammals = app.category("mammals", None).await;
    let dogs = app.category("dogs", Some(&mammals)).await;
    let birds = app.category("birds", None).await;
    app.pet(
        &dogs,
        json!({ "name": "Rex", "species": "Dog", "breed": "Beagle",
        "tags": ["friendly", "small"], "price": { "amount": 30000, "currency": "EUR" } }),
    )
    .await;
    app.pet(
        &dogs,
        json!({ "name": "bella", "species": "dog", "status": "sold",
        "tags": ["friendly"], "price": { "amount": 50000, "currency": "EUR" } }),
    )
    .await;
    app.pet(
        &mammals,
        json!({ "name": "Tom", "species": "cat", "status": "pending",
        "tags": ["small", "friendly", "indoor"], "price": { "amount": 20000, "currency": "EUR" } }),
    )
    .await;
    app.pet(
        &birds,
        json!({ "name": "Polly", "species": "parrot", "breed": "African grey",
        "price": { "amount": 90000, "currency": "EUR" } }),
    )
    .await;

    assert_eq!(
        names(&app, &format!("categoryId={mammals}&sort=name")).await,
        list(&["bella", "Rex", "Tom"])
    );
    assert_eq!(
        names(&app, &format!("categoryId={dogs}&sort=name")).await,
        list(&["bella", "Rex"])
    );
    assert_eq!(
        names(&app, "species=DOG&sort=name").await,
        list(&["bella", "Rex"])
    );
    assert_eq!(
        names(&app, "status=available&sort=name").await,
        list(&["Polly", "Rex"])
    );
    assert_eq!(names(&app, "status=sold").await, list(&["bella"]));
    assert_eq!(names(&app, "status=pending").await, list(&["Tom"]));
    assert_eq!(
        names(&app, "tags=friendly&sort=name").await,
        list(&["bella", "Rex", "Tom"])
    );
    assert_eq!(
        names(&app, "tags=small,friendly&sort=name").await,
        list(&["Rex", "Tom"])
    );
    assert_eq!(names(&app, "tags=small,indoor").await, list(&["Tom"]));
    assert_eq!(names(&app, "tags=unknown").await, list(&[]));
    assert_eq!(
        names(&app, "minPrice=30000&maxPrice=50000&sort=price").await,
        list(&["Rex", "bella"])
    );
    assert_eq!(names(&app, "q=grey").await, list(&["Polly"]));
    assert_eq!(names(&app, "q=BEAG").await, list(&["Rex"]));
    assert_eq!(names(&app, "q=parr").await, list(&["Polly"]));

    assert_eq!(
        names(&app, "sort=name").await,
        list(&["bella", "Polly", "Rex", "Tom"])
    );
    assert_eq!(
        names(&app, "sort=-name").await,
        list(&["Tom", "Rex", "Polly", "bella"])
    );
    assert_eq!(
        names(&app, "sort=price").await,
        list(&["Tom", "Rex", "bella", "Polly"])
    );
    assert_eq!(
        names(&app, "sort=-price").await,
        list(&["Polly", "bella", "Rex", "Tom"])
    );
    assert_eq!(
        names(&app, "sort=createdAt").await,
        list(&["Rex", "bella", "Tom", "Polly"])
    );
    assert_eq!(
        names(&app, "sort=-createdAt").await,
        list(&["Polly", "Tom", "bella", "Rex"])
    );

    let page = app
        .get("/api/pets?sort=price&limit=2&offset=2&count=exact")
        .await;
    assert_eq!(page.pluck("name"), ["bella", "Polly"]);
    assert_eq!(page.body["total"], 4);
    let past = app.get("/api/pets?offset=50&count=exact").await;
    assert_eq!(
        (past.ids().len(), past.body["total"].clone()),
        (0, json!(4))
    );
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u).await }
    };
    pages::assert_walk_is_whole("/api/pets?sort=price", get).await;
    pages::assert_walk_is_whole("/api/pets?sort=-name", get).await;
    pages::assert_cursor_checked("/api/pets?sort=price", "/api/pets?sort=name", get).await;

    for (query, field) in [
        ("status=lost", "status"),
        ("sort=age", "sort"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
        ("minPrice=-5", "minPrice"),
        ("categoryId=1", "categoryId"),
    ] {
        app.get(&format!("/api/pets?{query}"))
            .await
            .assert_problem(422, field);
    }
    app.stop().await;
}
