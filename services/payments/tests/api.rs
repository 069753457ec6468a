//! Reading payments: admins see all, customers their own; others' ids answer 404.
#![allow(clippy::unwrap_used)]

mod common;

use common::App;
use kit::auth::Role;
use kit::testing::pages;
use reqwest::{Method, StatusCode};
use uuid::Uuid;

#[tokio::test]
async fn admins_see_all_payments_and_customers_their_own() {
    let app = App::start().await;
    let (other_id, other) = app.keys.token(Role::Customer);
    let (mine, theirs, declined) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    app.order_created(mine, app.customer_id, 1000).await;
    app.order_created(theirs, other_id, 2000).await;
    app.order_created(declined, other_id, 2013).await;
    app.reserved(declined).await;

    let all = app.get("/api/payments", &app.admin).await;
    assert_eq!(all.status, StatusCode::OK);
    // (At least: other tests' orders may reach this instance through the shared exchange.)
    let ids = all.ids();
    for order in [mine, theirs, declined] {
        let id = app.payment_of(order).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let failed = app
        .get(
            &format!("/api/payments?status=failed&userId={other_id}"),
            &app.admin,
        )
        .await;
    assert_eq!(failed.body["total"], 1);
    assert_eq!(failed.body["items"][0]["orderId"], declined.to_string());
    let by_user = app
        .get(&format!("/api/payments?userId={other_id}"), &app.admin)
        .await;
    assert_eq!(by_user.body["total"], 2);
    let paged = app
        .get(
            &format!("/api/payments?userId={other_id}&limit=1&offset=1&count=exact"),
            &app.admin,
        )
        .await;
    assert_eq!(paged.ids().len(), 1);
    assert_eq!(paged.body["total"], 2);
    let past_end = app
        .get(
            &format!("/api/payments?userId={other_id}&offset=5&count=exact"),
            &app.admin,
        )
        .await;
    assert_eq!(past_end.body["total"], 2);
    let get = |u: String| {
        let app = &app;
        async move { app.get(&u, &app.admin).await }
    };
    // Walked within one customer's payments: the unfiltered list also holds other tests'
    // orders (shared exchange), which may arrive between the read and the walk.
    pages::assert_walk_is_whole(&format!("/api/payments?userId={other_id}"), get).await;
    pages::assert_cursor_checked(
        &format!("/api/payments?userId={other_id}"),
        "/api/payments",
        get,
    )
    .await;

    // A customer sees only their own, also when asking by order id.
    let own = app.get("/api/payments", &app.customer).await;
    assert_eq!(own.body["total"], 1);
    assert_eq!(own.body["items"][0]["orderId"], mine.to_string());
    let by_order = app
        .get(&format!("/api/payments?orderId={mine}"), &app.customer)
        .await;
    assert_eq!(by_order.body["total"], 1);
    let foreign = app
        .get(&format!("/api/payments?orderId={theirs}"), &app.customer)
        .await;
    assert_eq!(foreign.body["total"], 0);
    let widened = app
        .get(&format!("/api/payments?userId={other_id}"), &app.customer)
        .await;
    assert_eq!(widened.body["total"], 0);

    let my_payment = own.ids()[0].clone();
    let their_payment = app.payment_of(theirs).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = app
        .get(&format!("/api/payments/{my_payment}"), &app.customer)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["amount"]["amount"], 1000);
    app.get(&format!("/api/payments/{their_payment}"), &app.customer)
        .await
        .assert_problem(404, "");
    assert_eq!(
        app.get(&format!("/api/payments/{their_payment}"), &other)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/payments/{their_payment}"), &app.admin)
            .await
            .status,
        StatusCode::OK
    );

    // The audit log is for admins.
    let audit = format!("/api/payments/{my_payment}/audit");
    assert_eq!(app.get(&audit, &app.admin).await.status, StatusCode::OK);
    app.get(&audit, &app.customer).await.assert_problem(403, "");
    app.get(
        &format!("/api/payments/{}/audit", Uuid::new_v4()),
        &app.admin,
    )
    .await
    .assert_problem(404, "");
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_are_refused() {
    let app = App::start().await;
    app.get("/api/payments?limit=101", &app.admin)
        .await
        .assert_problem(422, "limit");
    app.get("/api/payments?status=lost", &app.admin)
        .await
        .assert_problem(422, "status");
    app.get("/api/payments?orderId=nope", &app.admin)
        .await
        .assert_problem(422, "orderId");
    app.get("/api/payments/not-a-uuid", &app.admin)
        .await
        .assert_problem(400, "id");
    app.get("/api/payments/not-a-uuid/audit", &app.admin)
        .await
        .assert_problem(400, "id");
    app.get(&format!("/api/payments/{}", Uuid::new_v4()), &app.admin)
        .await
        .assert_problem(404, "");
    let some = format!("/api/payments/{}", Uuid::new_v4());
    let audit = format!("{some}/audit");
    for path in ["/api/payments", some.as_str(), audit.as_str()] {
        for token in [
            None,
            Some(app.keys.expired_token(Role::Admin)),
            Some(app.keys.tampered_token()),
        ] {
            app.send(Method::GET, path, token.as_deref())
                .await
                .assert_problem(401, "");
        }
    }
    let doc = app.get("/openapi.json", &app.admin).await;
    assert_eq!(doc.body["info"]["title"], "PetStore payments API");
    assert!(doc.body["paths"]["/api/payments/{id}/audit"]["get"]["security"].is_array());
    app.stop().await;
}
