//! `/api/products` against the real PostgreSQL and RabbitMQ.
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
    let category = app.category("toys", None).await;
    let created = app
        .post(
            "/api/products",
            &json!({
                "sku": "TOY-1",
                "name": "Squeaky bone",
                "description": "Loud",
                "categoryId": category,
                "price": { "amount": 1299, "currency": "EUR" },
                "attributes": { "colour": "red", "size": "M" },
                "weightGrams": 150
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    let id = created.id();
    assert_eq!(
        created.body["price"],
        json!({ "amount": 1299, "currency": "EUR" })
    );
    assert_eq!(created.body["attributes"]["colour"], "red");
    assert_eq!(created.body["active"], true);
    assert_eq!(created.body["weightGrams"], 150);
    assert!(created.body["createdAt"].as_str().unwrap().ends_with('Z'));

    let fetched = app.get(&format!("/api/products/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, created.body);

    let updated = app
        .patch(
            &format!("/api/products/{id}"),
            &json!({ "price": { "amount": 999, "currency": "EUR" }, "active": false, "weightGrams": null }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:#}", updated.body);
    assert_eq!(updated.body["price"]["amount"], 999);
    assert_eq!(updated.body["active"], false);
    assert_eq!(updated.body["weightGrams"], Value::Null);
    assert_eq!(updated.body["name"], "Squeaky bone");

    let deleted = app.delete(&format!("/api/products/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/products/{id}"))
        .await
        .assert_problem(404, "");

    let events: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|(t, _)| t.starts_with("product."))
        .collect();
    let types: Vec<_> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        ["product.created", "product.updated", "product.deleted"]
    );
    let created_event = &events[0].1;
    assert_eq!(created_event["productId"], id.as_str());
    assert_eq!(created_event["sku"], "TOY-1");
    assert_eq!(created_event["name"], "Squeaky bone");
    assert_eq!(
        created_event["price"],
        json!({ "amount": 1299, "currency": "EUR" })
    );
    assert_eq!(created_event["active"], true);
    assert_eq!(created_event["categoryId"], category.as_str());
    let updated_event = &events[1].1;
    assert_eq!(updated_event["price"]["amount"], 999);
    assert_eq!(updated_event["active"], false);
    assert_eq!(
        updated_event["previous"],
        json!({ "price": { "amount": 1299, "currency": "EUR" }, "active": true })
    );
    assert_eq!(events[2].1["productId"], id.as_str());
    app.stop().await;
}

#[tokio::test]
async fn a_patch_that_changes_nothing_emits_nothing() {
    let app = App::start().await;
    let category = app.category("misc", None).await;
    let product = app.product(&category, json!({ "name": "Leash" })).await;
    let id = product["id"].as_str().unwrap();
    let same = app
        .patch(
            &format!("/api/products/{id}"),
            &json!({ "name": " Leash " }),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK);
    assert!(app.events_of("product.updated").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn bad_inputs_are_named() {
    let app = App::start().await;
    let category = app.category("bad", None).await;
    let raw = |body: String| app.send(Method::POST, "/api/products", Some(&app.admin), Some(body));
    raw("{not json".into()).await.assert_problem(400, "");
    let base = json!({
        "sku": "OK-1", "name": "Ok", "categoryId": category,
        "price": { "amount": 1, "currency": "EUR" }
    });
    let with = |overrides: Value| {
        let mut body = base.clone();
        common::merge(&mut body, overrides);
        body
    };
    let cases = [
        (with(json!({ "name": null })), 422, "name"),
        (with(json!({ "name": 12 })), 422, "name"),
        (
            with(json!({ "price": { "amount": "ten", "currency": "EUR" } })),
            422,
            "price.amount",
        ),
        (
            with(json!({ "price": { "amount": 1.5, "currency": "EUR" } })),
            422,
            "price.amount",
        ),
        (
            with(json!({ "price": { "amount": -1, "currency": "EUR" } })),
            422,
            "price.amount",
        ),
        (
            with(json!({ "price": { "amount": 1, "currency": "euro" } })),
            422,
            "price.currency",
        ),
        (with(json!({ "name": "n".repeat(201) })), 422, "name"),
        (with(json!({ "name": "   " })), 422, "name"),
        (
            with(json!({ "description": "d".repeat(5001) })),
            422,
            "description",
        ),
        (with(json!({ "sku": "has space" })), 422, "sku"),
        (with(json!({ "weightGrams": -1 })), 422, "weightGrams"),
        (
            with(json!({ "attributes": { "k": "v".repeat(501) } })),
            422,
            "attributes.k",
        ),
        (
            with(json!({ "attributes": { "k": 1 } })),
            422,
            "attributes.k",
        ),
        (
            with(json!({ "categoryId": Uuid::new_v4() })),
            422,
            "categoryId",
        ),
        (with(json!({ "categoryId": "nope" })), 422, "categoryId"),
        (with(json!({ "stock": 5 })), 422, "stock"),
    ];
    for (body, status, field) in cases {
        app.post("/api/products", &body)
            .await
            .assert_problem(status, field);
    }
    let too_many: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    app.post("/api/products", &with(json!({ "attributes": too_many })))
        .await
        .assert_problem(422, "attributes");
    // Nothing above was written.
    assert_eq!(app.get("/api/products").await.body["total"], 0);
    assert!(app.events_of("product.created").await.is_empty());

    app.get("/api/products/not-a-uuid")
        .await
        .assert_problem(400, "");
    app.get(&format!("/api/products/{}", Uuid::new_v4()))
        .await
        .assert_problem(404, "");
    app.patch(
        &format!("/api/products/{}", Uuid::new_v4()),
        &json!({ "name": "x" }),
    )
    .await
    .assert_problem(404, "");
    app.delete(&format!("/api/products/{}", Uuid::new_v4()))
        .await
        .assert_problem(404, "");
    let product = app.product(&category, json!({})).await;
    let id = product["id"].as_str().unwrap();
    app.patch(
        &format!("/api/products/{id}"),
        &json!({ "price": { "amount": -5, "currency": "EUR" } }),
    )
    .await
    .assert_problem(422, "price.amount");
    app.patch(
        &format!("/api/products/{id}"),
        &json!({ "categoryId": Uuid::new_v4() }),
    )
    .await
    .assert_problem(422, "categoryId");
    app.stop().await;
}

#[tokio::test]
async fn duplicate_sku_is_a_conflict() {
    let app = App::start().await;
    let category = app.category("dup", None).await;
    app.product(&category, json!({ "sku": "SAME" })).await;
    app.post(
        "/api/products",
        &json!({ "sku": "SAME", "name": "Other", "categoryId": category,
                 "price": { "amount": 1, "currency": "EUR" } }),
    )
    .await
    .assert_problem(409, "sku");
    let other = app.product(&category, json!({ "sku": "OTHER" })).await;
    let id = other["id"].as_str().unwrap();
    app.patch(&format!("/api/products/{id}"), &json!({ "sku": "SAME" }))
        .await
        .assert_problem(409, "sku");
    app.stop().await;
}

#[tokio::test]
async fn writes_are_admin_only() {
    let app = App::start().await;
    let category = app.category("guard", None).await;
    let product = app.product(&category, json!({})).await;
    let path = format!("/api/products/{}", product["id"].as_str().unwrap());
    let body = json!({ "sku": "X", "name": "X", "categoryId": category,
                       "price": { "amount": 1, "currency": "EUR" } });
    assert_admin_only(&app, Method::POST, "/api/products", Some(body)).await;
    assert_admin_only(&app, Method::PATCH, &path, Some(json!({ "name": "y" }))).await;
    assert_admin_only(&app, Method::DELETE, &path, None).await;
    assert_eq!(app.get(&path).await.body["name"], product["name"]);
    assert_eq!(app.events_of("product.created").await.len(), 1);
    app.stop().await;
}

/// Three categories (dogs > dog-food, and cats), four products.
async fn fixture(app: &App) -> (String, String, String) {
    let dogs = app.category("dogs", None).await;
    let food = app.category("dog-food", Some(&dogs)).await;
    let cats = app.category("cats", None).await;
    app.product(
        &dogs,
        json!({ "sku": "D-LEASH", "name": "leash", "description": "Strong rope",
        "price": { "amount": 1500, "currency": "EUR" } }),
    )
    .await;
    app.product(
        &food,
        json!({ "sku": "D-KIBBLE", "name": "Kibble", "description": "Dry food",
        "price": { "amount": 3000, "currency": "EUR" } }),
    )
    .await;
    app.product(
        &cats,
        json!({ "sku": "C-MOUSE", "name": "Toy mouse", "description": "Catnip inside",
        "price": { "amount": 500, "currency": "USD" } }),
    )
    .await;
    app.product(
        &cats,
        json!({ "sku": "C-OLD", "name": "Antique bed", "description": "Discontinued 50% off",
        "price": { "amount": 9000, "currency": "EUR" }, "active": false }),
    )
    .await;
    (dogs, food, cats)
}

async fn names(app: &App, query: &str) -> (Vec<String>, i64) {
    let reply = app.get(&format!("/api/products?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {:#}", reply.body);
    (reply.pluck("name"), reply.body["total"].as_i64().unwrap())
}

#[tokio::test]
async fn filters() {
    let app = App::start().await;
    let (dogs, food, cats) = fixture(&app).await;
    let sorted = "sort=name";
    // Category includes descendants.
    assert_eq!(
        names(&app, &format!("categoryId={dogs}&{sorted}")).await,
        (vec!["Kibble".into(), "leash".into()], 2)
    );
    assert_eq!(
        names(&app, &format!("categoryId={food}")).await,
        (vec!["Kibble".into()], 1)
    );
    assert_eq!(
        names(&app, &format!("categoryId={cats}&{sorted}")).await.1,
        2
    );
    assert_eq!(
        names(&app, &format!("categoryId={}", Uuid::new_v4())).await,
        (vec![], 0)
    );
    assert_eq!(
        names(&app, &format!("minPrice=1500&maxPrice=3000&{sorted}")).await,
        (vec!["Kibble".into(), "leash".into()], 2)
    );
    assert_eq!(
        names(&app, "minPrice=3001").await,
        (vec!["Antique bed".into()], 1)
    );
    assert_eq!(
        names(&app, "maxPrice=500").await,
        (vec!["Toy mouse".into()], 1)
    );
    assert_eq!(
        names(&app, "currency=USD").await,
        (vec!["Toy mouse".into()], 1)
    );
    assert_eq!(
        names(&app, "active=false").await,
        (vec!["Antique bed".into()], 1)
    );
    assert_eq!(names(&app, "active=true").await.1, 3);
    // Text search: name, description and SKU, case-insensitive; wildcards are literal.
    assert_eq!(names(&app, "q=KIBB").await, (vec!["Kibble".into()], 1));
    assert_eq!(names(&app, "q=catnip").await, (vec!["Toy mouse".into()], 1));
    assert_eq!(names(&app, "q=d-leash").await, (vec!["leash".into()], 1));
    assert_eq!(
        names(&app, "q=50%25").await,
        (vec!["Antique bed".into()], 1)
    );
    assert_eq!(names(&app, "q=%25").await, (vec!["Antique bed".into()], 1));
    // Combined.
    assert_eq!(
        names(&app, &format!("categoryId={cats}&active=true&currency=USD")).await,
        (vec!["Toy mouse".into()], 1)
    );
    // Bad parameters are named.
    for (query, field) in [
        ("minPrice=-1", "minPrice"),
        ("minPrice=10&maxPrice=5", "minPrice"),
        ("maxPrice=cheap", "maxPrice"),
        ("currency=eur", "currency"),
        ("active=maybe", "active"),
        ("categoryId=nope", "categoryId"),
        ("sort=colour", "sort"),
        ("sort=", "sort"),
    ] {
        app.get(&format!("/api/products?{query}"))
            .await
            .assert_problem(422, field);
    }
    app.stop().await;
}

#[tokio::test]
async fn sorts() {
    let app = App::start().await;
    fixture(&app).await;
    let all = |v: &[&str]| (v.iter().map(|s| s.to_string()).collect::<Vec<_>>(), 4);
    assert_eq!(
        names(&app, "sort=name").await,
        all(&["Antique bed", "Kibble", "leash", "Toy mouse"])
    );
    assert_eq!(
        names(&app, "sort=-name").await,
        all(&["Toy mouse", "leash", "Kibble", "Antique bed"])
    );
    assert_eq!(
        names(&app, "sort=price").await,
        all(&["Toy mouse", "leash", "Kibble", "Antique bed"])
    );
    assert_eq!(
        names(&app, "sort=-price").await,
        all(&["Antique bed", "Kibble", "leash", "Toy mouse"])
    );
    assert_eq!(
        names(&app, "sort=createdAt").await,
        all(&["leash", "Kibble", "Toy mouse", "Antique bed"])
    );
    assert_eq!(
        names(&app, "sort=-createdAt").await,
        all(&["Antique bed", "Toy mouse", "Kibble", "leash"])
    );
    // The default is newest first.
    assert_eq!(names(&app, "").await, names(&app, "sort=-createdAt").await);
    app.stop().await;
}

#[tokio::test]
async fn pagination() {
    let app = App::start().await;
    fixture(&app).await;
    let page = app
        .get("/api/products?sort=price&limit=2&offset=1&count=exact")
        .await;
    assert_eq!(page.pluck("name"), ["leash", "Kibble"]);
    assert_eq!(page.body["total"], 4);
    assert_eq!(page.body["limit"], 2);
    assert_eq!(page.body["offset"], 1);
    let default = app.get("/api/products").await;
    assert_eq!(default.body["limit"], 20);
    assert_eq!(default.body["offset"], 0);
    let past = app.get("/api/products?offset=100&count=exact").await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(past.ids().len(), 0);
    assert_eq!(past.body["total"], 4);
    let max = app.get("/api/products?limit=100").await;
    assert_eq!(max.status, StatusCode::OK);
    for (query, field) in [
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("limit=ten", "limit"),
    ] {
        app.get(&format!("/api/products?{query}"))
            .await
            .assert_problem(422, field);
    }
    app.stop().await;
}

#[tokio::test]
async fn cursor_pages_cover_every_sort_and_survive_inserts() {
    let app = App::start().await;
    let (dogs, _, _) = fixture(&app).await;
    for sort in [
        "name",
        "-name",
        "price",
        "-price",
        "createdAt",
        "-createdAt",
    ] {
        let url = format!("/api/products?sort={sort}");
        let whole = app.get(&url).await.body["items"].clone();
        let walked = pages::walk(&url, 1, |u: String| {
            let app = &app;
            async move { app.get(&u).await }
        })
        .await;
        assert_eq!(Value::from(walked), whole, "{sort}");
    }
    pages::assert_cursor_checked(
        "/api/products?sort=price",
        "/api/products?sort=-price",
        |u: String| {
            let app = &app;
            async move { app.get(&u).await }
        },
    )
    .await;
    // The filter is part of the list too.
    pages::assert_cursor_checked(
        "/api/products?sort=price",
        "/api/products?sort=price&currency=EUR",
        |u: String| {
            let app = &app;
            async move { app.get(&u).await }
        },
    )
    .await;

    // Page 1 by price (500, 1500), then one product cheaper than all and one dearer.
    let first = app.get("/api/products?sort=price&limit=2").await;
    assert_eq!(first.pluck("name"), ["Toy mouse", "leash"]);
    assert_eq!(first.body["total"], Value::Null, "more pages: not counted");
    for (sku, amount) in [("D-CHEAP", 100), ("D-DEAR", 99_000)] {
        app.product(
            &dogs,
            json!({ "sku": sku, "name": sku, "price": { "amount": amount, "currency": "EUR" } }),
        )
        .await;
    }
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let rest = app
        .get(&pages::with_param(
            "/api/products?sort=price&limit=10",
            "cursor",
            cursor,
        ))
        .await;
    assert_eq!(rest.pluck("name"), ["Kibble", "Antique bed", "D-DEAR"]);
    assert_eq!(rest.body["nextCursor"], Value::Null, "the end of the list");
    assert_eq!(
        rest.body["total"],
        Value::Null,
        "a cursor page cannot know the total"
    );
    let counted = app
        .get("/api/products?sort=price&limit=2&count=exact")
        .await;
    assert_eq!(counted.body["total"], 6);
    app.get("/api/products?count=some")
        .await
        .assert_problem(422, "count");
}

#[tokio::test]
async fn a_nul_character_is_a_422_naming_the_field_never_a_500() {
    let app = App::start().await;
    let (dogs, _, _) = fixture(&app).await;
    app.get("/api/products?q=%00")
        .await
        .assert_problem(422, "q");
    let reply = app
        .post(
            "/api/products",
            &json!({ "sku": "NUL-1", "name": "a\u{0}b", "categoryId": dogs,
                     "price": { "amount": 1, "currency": "EUR" } }),
        )
        .await;
    reply.assert_problem(422, "name");
    app.stop().await;
}

#[tokio::test]
async fn a_body_above_the_limit_is_a_413_problem() {
    let app = App::start().await;
    let (dogs, _, _) = fixture(&app).await;
    let huge = "x".repeat(kit::extract::MAX_BODY_BYTES + 1);
    let reply = app
        .post(
            "/api/products",
            &json!({ "sku": "BIG-1", "name": "big", "description": huge, "categoryId": dogs,
                     "price": { "amount": 1, "currency": "EUR" } }),
        )
        .await;
    reply.assert_problem(413, "");
    assert!(reply.body["detail"].as_str().unwrap().contains("262144"));
    app.stop().await;
}
