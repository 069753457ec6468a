//! `/api/reviews` against the real PostgreSQL and RabbitMQ.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, WAIT};
use kit::auth::Role;
use kit::testing::eventually;
use kit::testing::pages;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn create_get_update_delete() {
    let app = App::start().await;
    let product = Uuid::new_v4();
    let created = app
        .send(
            Method::POST,
            "/api/reviews",
            Some(&app.token),
            Some(
                json!({ "productId": product, "rating": 4, "title": "  Good bone ", "body": "My dog loves it" })
                    .to_string(),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    let id = created.id();
    assert_eq!(created.body["productId"], product.to_string());
    assert_eq!(created.body["userId"], app.user.to_string());
    assert_eq!(created.body["rating"], 4);
    assert_eq!(created.body["title"], "Good bone");
    assert_eq!(created.body["verified"], false);
    assert!(created.body["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        app.events_of("review.created").await,
        [json!({ "reviewId": id, "productId": product.to_string(),
                 "userId": app.user.to_string(), "rating": 4, "verified": false })]
    );

    let fetched = app.get(&format!("/api/reviews/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, created.body);

    let updated = app
        .send(
            Method::PATCH,
            &format!("/api/reviews/{id}"),
            Some(&app.token),
            Some(json!({ "rating": 5, "body": "" }).to_string()),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:#}", updated.body);
    assert_eq!(updated.body["rating"], 5);
    assert_eq!(updated.body["body"], "");
    assert_eq!(updated.body["title"], "Good bone");

    // An admin may change and delete anyone's review.
    let moderated = app
        .send(
            Method::PATCH,
            &format!("/api/reviews/{id}"),
            Some(&app.admin),
            Some(json!({ "title": "Edited" }).to_string()),
        )
        .await;
    assert_eq!(moderated.status, StatusCode::OK);
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/reviews/{id}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/reviews/{id}"))
        .await
        .assert_problem(404, "");
    // Deleting frees the product for a new review by the same user.
    app.review_as(&app.token, product, 2).await;
    app.stop().await;
}

#[tokio::test]
async fn one_review_per_user_per_product() {
    let app = App::start().await;
    let product = Uuid::new_v4();
    app.review_as(&app.token, product, 3).await;
    app.send(
        Method::POST,
        "/api/reviews",
        Some(&app.token),
        Some(json!({ "productId": product, "rating": 5, "title": "Again" }).to_string()),
    )
    .await
    .assert_problem(409, "productId");
    // Others may review it, and the same user other products.
    app.review(product, 5).await;
    app.review_as(&app.token, Uuid::new_v4(), 1).await;
    assert_eq!(app.events_of("review.created").await.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn bad_reviews_are_refused() {
    let app = App::start().await;
    let product = Uuid::new_v4();
    let post = async |body: String| {
        app.send(Method::POST, "/api/reviews", Some(&app.token), Some(body))
            .await
    };
    post("{\"rating\": ".into()).await.assert_problem(400, "");
    post(json!({ "rating": 3, "title": "x" }).to_string())
        .await
        .assert_problem(422, "productId");
    post(json!({ "productId": product, "title": "x" }).to_string())
        .await
        .assert_problem(422, "rating");
    post(json!({ "productId": "p-1", "rating": 3, "title": "x" }).to_string())
        .await
        .assert_problem(422, "productId");
    post(json!({ "productId": product, "rating": "five", "title": "x" }).to_string())
        .await
        .assert_problem(422, "rating");
    post(json!({ "productId": product, "rating": 3, "title": "x", "stars": 3 }).to_string())
        .await
        .assert_problem(422, "stars");
    for rating in [0, 6, -1] {
        post(json!({ "productId": product, "rating": rating, "title": "x" }).to_string())
            .await
            .assert_problem(422, "rating");
    }
    let reply = post(
        json!({ "productId": product, "rating": 9, "title": "t".repeat(121), "body": "b".repeat(5001) })
            .to_string(),
    )
    .await;
    reply.assert_problem(422, "");
    assert_eq!(reply.fields(), ["rating", "title", "body"]);
    post(json!({ "productId": product, "rating": 3, "title": "   " }).to_string())
        .await
        .assert_problem(422, "title");
    // The limits themselves are fine.
    let ok = post(
        json!({ "productId": product, "rating": 1, "title": "t".repeat(120), "body": "b".repeat(5000) })
            .to_string(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:#}", ok.body);

    let id = ok.id();
    let patch = async |body: String| {
        app.send(
            Method::PATCH,
            &format!("/api/reviews/{id}"),
            Some(&app.token),
            Some(body),
        )
        .await
    };
    patch(json!({ "rating": 6 }).to_string())
        .await
        .assert_problem(422, "rating");
    patch(json!({ "title": "" }).to_string())
        .await
        .assert_problem(422, "title");
    patch(json!({ "productId": Uuid::new_v4() }).to_string())
        .await
        .assert_problem(422, "productId");
    patch("not json".into()).await.assert_problem(400, "");

    app.get("/api/reviews/not-a-uuid")
        .await
        .assert_problem(400, "id");
    app.get(&format!("/api/reviews/{}", Uuid::new_v4()))
        .await
        .assert_problem(404, "");
    app.send(
        Method::PATCH,
        &format!("/api/reviews/{}", Uuid::new_v4()),
        Some(&app.token),
        Some(json!({ "rating": 1 }).to_string()),
    )
    .await
    .assert_problem(404, "");
    app.send(
        Method::DELETE,
        "/api/reviews/not-a-uuid",
        Some(&app.token),
        None,
    )
    .await
    .assert_problem(400, "id");
    app.get("/api/reviews/products/nope/summary")
        .await
        .assert_problem(400, "productId");
    app.stop().await;
}

#[tokio::test]
async fn writes_need_a_valid_token_and_the_author_or_an_admin() {
    let app = App::start().await;
    let review = app.review_as(&app.token, Uuid::new_v4(), 3).await;
    let path = format!("/api/reviews/{}", review["id"].as_str().unwrap());
    let new = json!({ "productId": Uuid::new_v4(), "rating": 3, "title": "x" }).to_string();
    let patch = json!({ "rating": 1 }).to_string();
    for token in [
        None,
        Some(app.keys.expired_token(Role::Customer)),
        Some(app.keys.tampered_token()),
    ] {
        for (method, path, body) in [
            (Method::POST, "/api/reviews", Some(new.clone())),
            (Method::PATCH, path.as_str(), Some(patch.clone())),
            (Method::DELETE, path.as_str(), None),
        ] {
            app.send(method, path, token.as_deref(), body)
                .await
                .assert_problem(401, "");
        }
    }
    let (_, stranger) = app.keys.token(Role::Customer);
    app.send(Method::PATCH, &path, Some(&stranger), Some(patch.clone()))
        .await
        .assert_problem(403, "");
    app.send(Method::DELETE, &path, Some(&stranger), None)
        .await
        .assert_problem(403, "");
    assert_eq!(app.get(&path).await.body["rating"], 3);
    app.stop().await;
}

#[tokio::test]
async fn lists_filter_sort_and_paginate() {
    let app = App::start().await;
    let product = Uuid::new_v4();
    let other = Uuid::new_v4();
    let mine = app.review_as(&app.token, product, 2).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let five = app.review(product, 5).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let four = app.review(product, 4).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let elsewhere = app.review(other, 5).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    let all = app.get("/api/reviews").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.body["total"], 4);
    assert_eq!(
        all.ids(),
        [
            elsewhere.as_str(),
            four.as_str(),
            five.as_str(),
            mine.as_str()
        ],
        "newest first"
    );

    let of_product = app
        .get(&format!("/api/reviews?productId={product}&sort=-rating"))
        .await;
    assert_eq!(
        of_product.ids(),
        [five.as_str(), four.as_str(), mine.as_str()]
    );
    let ascending = app
        .get(&format!("/api/reviews?productId={product}&sort=rating"))
        .await;
    assert_eq!(
        ascending.ids(),
        [mine.as_str(), four.as_str(), five.as_str()]
    );
    let oldest = app
        .get("/api/reviews?sort=createdAt&limit=2&offset=1&count=exact")
        .await;
    assert_eq!(oldest.ids(), [five.as_str(), four.as_str()]);
    assert_eq!(oldest.body["total"], 4);
    assert_eq!(oldest.body["limit"], 2);
    assert_eq!(oldest.body["offset"], 1);
    let past_end = app.get("/api/reviews?offset=10&count=exact").await;
    assert_eq!(past_end.ids(), Vec::<String>::new());
    assert_eq!(past_end.body["total"], 4);
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u).await }
    };
    pages::assert_walk_is_whole("/api/reviews?sort=rating", get).await;
    pages::assert_walk_is_whole("/api/reviews?sort=-rating", get).await;
    pages::assert_walk_is_whole("/api/reviews?sort=createdAt", get).await;
    pages::assert_walk_is_whole("/api/reviews", get).await;
    pages::assert_cursor_checked("/api/reviews?sort=rating", "/api/reviews?sort=-rating", get)
        .await;

    let by_user = app.get(&format!("/api/reviews?userId={}", app.user)).await;
    assert_eq!(by_user.ids(), [mine.as_str()]);
    let fives = app.get("/api/reviews?rating=5").await;
    assert_eq!(fives.body["total"], 2);
    let unverified = app.get("/api/reviews?verified=false").await;
    assert_eq!(unverified.body["total"], 4);
    let verified = app.get("/api/reviews?verified=true").await;
    assert_eq!(verified.body["total"], 0);

    app.get("/api/reviews?rating=6")
        .await
        .assert_problem(422, "rating");
    app.get("/api/reviews?limit=101")
        .await
        .assert_problem(422, "limit");
    app.get("/api/reviews?offset=-1")
        .await
        .assert_problem(422, "offset");
    app.get("/api/reviews?sort=stars")
        .await
        .assert_problem(422, "sort");
    app.get("/api/reviews?productId=nope")
        .await
        .assert_problem(422, "productId");
    app.get("/api/reviews?verified=maybe")
        .await
        .assert_problem(422, "verified");
    app.stop().await;
}

#[tokio::test]
async fn the_summary_averages_counts_and_distributes() {
    let app = App::start().await;
    let product = Uuid::new_v4();
    let empty = app
        .get(&format!("/api/reviews/products/{product}/summary"))
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(
        empty.body,
        json!({ "productId": product.to_string(), "average": null, "count": 0,
                "distribution": { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 } })
    );
    for rating in [5, 5, 4, 1] {
        app.review(product, rating).await;
    }
    app.review(Uuid::new_v4(), 2).await;
    let summary = app
        .get(&format!("/api/reviews/products/{product}/summary"))
        .await;
    // (5 + 5 + 4 + 1) / 4 = 3.75
    assert_eq!(
        summary.body,
        json!({ "productId": product.to_string(), "average": 3.75, "count": 4,
                "distribution": { "1": 1, "2": 0, "3": 0, "4": 1, "5": 2 } })
    );
    app.review(product, 4).await;
    let rounded = app
        .get(&format!("/api/reviews/products/{product}/summary"))
        .await;
    // 19 / 5 = 3.8; then 23 / 6 = 3.8333… → 3.83
    assert_eq!(rounded.body["average"], 3.8);
    app.review(product, 4).await;
    let rounded = app
        .get(&format!("/api/reviews/products/{product}/summary"))
        .await;
    assert_eq!(rounded.body["average"], 3.83);
    app.stop().await;
}

#[tokio::test]
async fn health_ready_and_openapi() {
    let app = App::start().await;
    assert_eq!(app.get("/health").await.status, StatusCode::OK);
    let app_ref = &app;
    assert!(
        eventually(WAIT, || async move {
            app_ref.get("/ready").await.status == StatusCode::OK
        })
        .await,
        "database and broker become ready"
    );
    let doc = app.get("/openapi.json").await;
    assert_eq!(doc.body["info"]["title"], "PetStore reviews API");
    assert!(doc.body["paths"]["/api/reviews"]["post"]["security"].is_array());
    assert!(doc.body["paths"]["/api/reviews"]["get"]["security"].is_null());
    assert!(doc.body["paths"]["/api/reviews/products/{productId}/summary"].is_object());
    app.stop().await;
}
