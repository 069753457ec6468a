//! The shared endpoints and request plumbing of the running catalog.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, WAIT};
use kit::testing::eventually;
use reqwest::{Method, StatusCode};

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
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["info"]["title"], "PetStore catalog API");
    for path in ["/api/categories", "/api/products/{id}", "/api/pets"] {
        assert!(doc.body["paths"][path].is_object(), "{path}");
    }
    assert!(doc.body["paths"]["/api/products"]["post"]["security"].is_array());
    assert!(doc.body["paths"]["/api/products"]["get"]["security"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let app = App::start().await;
    let reply = app
        .client
        .post(app.server.url("/api/categories"))
        .bearer_auth(&app.admin)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    app.send(Method::GET, "/api/nothing-here", None, None)
        .await
        .assert_problem(404, "");
    app.stop().await;
}
