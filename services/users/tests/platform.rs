//! The shared endpoints the kit adds, as the users service serves them.

mod common;

use common::{expect, problem_fields, start};
use reqwest::StatusCode;

#[tokio::test]
async fn health_readiness_and_openapi() {
    let app = start().await;
    expect(app.get("/health", None).await, StatusCode::OK).await;
    let ready = kit::testing::eventually(std::time::Duration::from_secs(10), || async {
        app.get("/ready", None).await.status() == StatusCode::OK
    })
    .await;
    assert!(ready, "the service became ready");
    let doc = expect(app.get("/openapi.json", None).await, StatusCode::OK).await;
    assert_eq!(doc["info"]["title"], "PetStore users API");
    for path in ["/api/auth/login", "/api/users/{id}/role", "/api/users/me"] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
    problem_fields(app.get("/api/nothing", None).await, StatusCode::NOT_FOUND).await;
    app.finish().await;
}
