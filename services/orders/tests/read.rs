//! Reading orders: customers see their own, admins see all; others' ids answer 404.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, assert_auth};
use kit::auth::Role;
use kit::testing::pages;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn customers_see_their_own_orders_and_admins_see_all() {
    let app = App::start().await;
    let (other_id, other) = app.keys.token(Role::Customer);
    let mine_1 = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mine_2 = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = app.order(&other).await["id"].as_str().unwrap().to_string();

    let page = app.get("/api/orders", &app.customer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.ids(), [mine_2.clone(), mine_1.clone()], "newest first");
    assert_eq!(page.body["total"], 2);
    assert_eq!(page.body["items"][0]["lines"].as_array().unwrap().len(), 1);
    // A customer cannot widen the filter to someone else.
    let sneaky = app
        .get(&format!("/api/orders?userId={other_id}"), &app.customer)
        .await;
    assert_eq!(sneaky.body["total"], 0);

    let all = app.get("/api/orders", &app.admin).await;
    // (At least: other tests' checkouts may reach this instance through the shared exchange.)
    let ids = all.ids();
    for id in [&mine_1, &mine_2, &theirs] {
        assert!(ids.contains(id), "{id} in {ids:?}");
    }
    let by_user = app
        .get(&format!("/api/orders?userId={other_id}"), &app.admin)
        .await;
    assert_eq!(by_user.ids(), vec![theirs.clone()]);
    app.post(
        &format!("/api/orders/{mine_1}/cancel"),
        &app.customer,
        &serde_json::json!({}),
    )
    .await;
    let cancelled = app
        .get(
            &format!("/api/orders?status=cancelled&userId={}", app.customer_id),
            &app.admin,
        )
        .await;
    assert_eq!(cancelled.ids(), vec![mine_1.clone()]);
    let mine = format!("/api/orders?userId={}", app.customer_id);
    let paged = app
        .get(&format!("{mine}&limit=1&offset=1&count=exact"), &app.admin)
        .await;
    assert_eq!(paged.body["total"], 2);
    assert_eq!(paged.ids(), vec![mine_1.clone()]);
    let past_end = app
        .get(&format!("{mine}&offset=10&count=exact"), &app.admin)
        .await;
    assert_eq!(past_end.body["total"], 2);
    assert!(past_end.ids().is_empty());
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u, &app.admin).await }
    };
    pages::assert_walk_is_whole(&mine, get).await;
    pages::assert_cursor_checked(&mine, "/api/orders?status=pending", get).await;

    app.get("/api/orders?limit=0", &app.admin)
        .await
        .assert_problem(422, "limit");
    app.get("/api/orders?status=lost", &app.admin)
        .await
        .assert_problem(422, "status");
    app.get("/api/orders?userId=nope", &app.admin)
        .await
        .assert_problem(422, "userId");

    // One order: the owner and admins see it; another customer gets 404, as if it did
    // not exist, so ids do not leak.
    let path = format!("/api/orders/{theirs}");
    assert_eq!(app.get(&path, &other).await.status, StatusCode::OK);
    assert_eq!(app.get(&path, &app.admin).await.status, StatusCode::OK);
    app.get(&path, &app.customer).await.assert_problem(404, "");
    app.get(&format!("{path}/history"), &app.customer)
        .await
        .assert_problem(404, "");
    app.get(&format!("/api/orders/{}", uuid::Uuid::new_v4()), &app.admin)
        .await
        .assert_problem(404, "");
    app.get("/api/orders/not-a-uuid", &app.admin)
        .await
        .assert_problem(400, "id");
    app.get("/api/orders/not-a-uuid/history", &app.admin)
        .await
        .assert_problem(400, "id");
    for path in ["/api/orders", path.as_str(), &format!("{path}/history")] {
        assert_auth(&app, Method::GET, path, None, false).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn service_endpoints_and_openapi() {
    let app = App::start().await;
    let doc = app.get("/openapi.json", &app.admin).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["info"]["title"], "PetStore orders API");
    assert!(doc.body["paths"]["/api/orders"]["post"]["security"].is_array());
    let app_ref = &app;
    assert!(
        kit::testing::eventually(common::WAIT, || async move {
            app_ref.get("/ready", "").await.status == StatusCode::OK
        })
        .await
    );
    app.stop().await;
}
