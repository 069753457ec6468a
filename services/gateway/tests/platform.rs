//! CORS, aggregated health and the docs page.

mod common;

use common::{Stack, problem};
use gateway::config::AllowedOrigins;
use serde_json::Value;

const SHOP: &str = "https://shop.example";

fn preflight(stack: &Stack, origin: &str) -> reqwest::RequestBuilder {
    stack
        .http
        .request(reqwest::Method::OPTIONS, stack.url("/api/products"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let stack = Stack::start(|config| {
        config.cors_allowed_origins = AllowedOrigins::List(vec![SHOP.parse().unwrap()]);
    })
    .await;
    let allowed = preflight(&stack, SHOP).send().await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(allowed.headers()["access-control-allow-origin"], SHOP);
    let allowed_headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(allowed_headers.contains("authorization") && allowed_headers.contains("content-type"));

    let refused = preflight(&stack, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );

    // Actual requests carry the headers a browser script may read.
    let response = stack
        .http
        .get(stack.url("/api/products"))
        .header("origin", SHOP)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], SHOP);
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        exposed.contains("x-request-id") && exposed.contains("retry-after"),
        "{exposed}"
    );
    // Preflights are answered by the gateway alone.
    assert_eq!(stack.catalog.seen().len(), 1);
}

#[tokio::test]
async fn cors_is_closed_by_default() {
    let stack = Stack::start(|_| {}).await;
    let response = preflight(&stack, SHOP).send().await.unwrap();
    assert!(
        !response
            .headers()
            .contains_key("access-control-allow-origin")
    );
}

#[tokio::test]
async fn health_is_ok_when_every_backend_is_ready() {
    let stack = Stack::start(|_| {}).await;
    // Later contract services point nowhere in the tests; only check ours.
    let response = stack.get("/api/health").await;
    let body: Value = response.json().await.unwrap();
    for name in ["users", "catalog"] {
        assert_eq!(body["services"][name]["status"], "up", "{body}");
        assert!(body["services"][name]["latencyMs"].is_u64(), "{body}");
    }
    if petstore_contract::backends().count() == 2 {
        assert_eq!(body["status"], "ok");
    }
}

#[tokio::test]
async fn health_is_503_naming_the_backend_that_is_down() {
    let stack = Stack::start_with(false, |_| {}).await;
    let response = stack.get("/api/health").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["services"]["catalog"]["status"], "down", "{body}");
    assert_eq!(body["services"]["users"]["status"], "up", "{body}");
    // The gateway itself stays ready: a backend outage must not pull it.
    assert_eq!(stack.get("/ready").await.status(), 200);
}

#[tokio::test]
async fn the_docs_page_offers_every_service() {
    let stack = Stack::start(|_| {}).await;
    assert_eq!(stack.get("/docs/").await.status(), 200);
    let initializer = stack
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(initializer.contains("/docs/openapi.json"), "{initializer}");
    for spec in petstore_contract::backends() {
        let path = format!("/api/docs/{}/openapi.json", spec.name);
        assert!(initializer.contains(&path), "{path} missing: {initializer}");
    }

    let users: Value = stack
        .get("/api/docs/users/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users["info"]["title"], "fake users");
    let catalog: Value = stack
        .get("/api/docs/catalog/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["info"]["title"], "fake catalog");
    problem(stack.get("/api/docs/nope/openapi.json").await, 404).await;

    let own: Value = stack.get("/openapi.json").await.json().await.unwrap();
    assert!(own["paths"]["/api/health"].is_object(), "{own}");
    assert!(
        own["paths"]["/api/docs/{service}/openapi.json"].is_object(),
        "{own}"
    );
}

#[tokio::test]
async fn a_down_backends_document_is_503() {
    let stack = Stack::start_with(false, |_| {}).await;
    let body = problem(stack.get("/api/docs/catalog/openapi.json").await, 503).await;
    assert!(body["detail"].as_str().unwrap().contains("catalog"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let stack = Stack::start(|_| {}).await;
    for path in ["/docs/", "/api/health", "/no/such/route"] {
        let response = stack.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}

#[tokio::test]
async fn metrics_and_status_are_served_only_on_the_internal_listener() {
    let stack = Stack::start(|_| {}).await;
    // The public listener is what the Ingress reaches: the internals are not there.
    // There, a path outside /api is a console page: forwarded to the console (away in this
    // test, so 503 naming it), never the gateway's own metrics or status.
    for path in ["/metrics", "/status"] {
        let body = problem(stack.get(path).await, 503).await;
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("console")),
            "{path}: {body}"
        );
    }
    let internal = |path: &str| stack.http.get(stack.gateway.internal(path)).send();
    let metrics = internal("/metrics").await.expect("scrape");
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .expect("text")
            .contains("http_requests"),
        "the metrics are exposed internally"
    );
    let status: serde_json::Value = internal("/status")
        .await
        .expect("status")
        .json()
        .await
        .expect("json");
    assert_eq!(status["name"], "gateway");
    // Probes work on both; the API is public only.
    for path in ["/health", "/ready"] {
        assert_eq!(internal(path).await.expect("probe").status(), 200, "{path}");
    }
    problem(internal("/api/health").await.expect("send"), 404).await;
    problem(internal("/docs/").await.expect("send"), 404).await;
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let stack = Stack::start(|_| {}).await;
    let response = stack
        .http
        .delete(stack.url("/api/health"))
        .send()
        .await
        .expect("send");
    let allow = response.headers().get("allow").cloned();
    let body = problem(response, 405).await;
    assert_eq!(
        body["type"],
        "https://petstore.dev/problems/method-not-allowed"
    );
    assert_eq!(
        allow.as_ref().and_then(|v| v.to_str().ok()),
        Some("GET,HEAD")
    );
}
