//! Forwarding: routing by prefix, bodies, pass-through, failures, limits.

mod common;

use std::time::Duration;

use common::{Stack, problem};
use serde_json::Value;

#[tokio::test]
async fn routes_by_prefix_keeping_path_and_query() {
    let stack = Stack::start(|_| {}).await;
    for (path, service) in [
        ("/api/auth/login", "users"),
        ("/api/users", "users"),
        ("/api/users/42/roles", "users"),
        ("/api/products?category=dogs&limit=5", "catalog"),
        ("/api/categories", "catalog"),
        ("/api/pets/7", "catalog"),
    ] {
        let response = stack.get(path).await;
        assert_eq!(response.status(), 201, "{path}");
        assert_eq!(response.headers()["x-upstream"], service, "{path}");
        let echo: Value = response.json().await.unwrap();
        let (expected_path, expected_query) = match path.split_once('?') {
            Some((p, q)) => (p, Value::from(q)),
            None => (path, Value::Null),
        };
        assert_eq!(echo["path"], expected_path);
        assert_eq!(echo["query"], expected_query);
        assert_eq!(echo["method"], "GET");
        assert_eq!(echo["forwardedFor"], "127.0.0.1");
        assert_eq!(echo["forwardedProto"], "http");
    }
    assert_eq!(stack.users.seen().len(), 3);
    assert_eq!(stack.catalog.seen().len(), 3);
    assert_eq!(
        stack.catalog.seen()[0].query.as_deref(),
        Some("category=dogs&limit=5")
    );
}

#[tokio::test]
async fn prefixes_match_whole_segments_and_unknown_routes_are_404() {
    let stack = Stack::start(|_| {}).await;
    for path in [
        "/api/productsx",
        "/api/usersfoo/1",
        "/api/ordersx",
        "/api",
        "/api/nowhere",
    ] {
        let body = problem(stack.get(path).await, 404).await;
        assert_eq!(
            body["type"], "https://petstore.dev/problems/not-found",
            "{path}"
        );
    }
    // Every other path is the console's (here a URL where nothing listens).
    let body = problem(stack.get("/nowhere").await, 503).await;
    assert_eq!(
        body["detail"], "the console service is unavailable",
        "{body}"
    );
    assert!(stack.upstreams_saw_nothing());
}

#[tokio::test]
async fn bodies_are_forwarded_both_ways() {
    let stack = Stack::start(|_| {}).await;
    let response = stack
        .http
        .post(stack.url("/api/products"))
        .header("content-type", "application/json")
        .body(r#"{"name":"Rex"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["body"], r#"{"name":"Rex"}"#);
    let seen = &stack.catalog.seen()[0];
    assert_eq!(seen.headers["content-type"], "application/json");

    // A chunked body without a Content-Length is streamed through as well.
    let chunks =
        futures_util::stream::iter(["par", "tial ", "chunks"].map(Ok::<_, std::io::Error>));
    let response = stack
        .http
        .put(stack.url("/api/users/me"))
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["body"], "partial chunks");
}

#[tokio::test]
async fn upstream_statuses_and_problems_pass_through_unchanged() {
    let stack = Stack::start(|_| {}).await;
    let body = problem(stack.get("/api/products/conflict").await, 409).await;
    assert_eq!(body["detail"], "sku already exists");
}

#[tokio::test]
async fn an_unreachable_upstream_is_503_naming_it() {
    let stack = Stack::start_with(false, |_| {}).await;
    let body = problem(stack.get("/api/pets").await, 503).await;
    assert_eq!(body["type"], "https://petstore.dev/problems/unavailable");
    assert!(
        body["detail"].as_str().unwrap().contains("catalog"),
        "{body}"
    );
    // The other backend is unaffected.
    assert_eq!(stack.get("/api/users").await.status(), 201);
}

#[tokio::test]
async fn a_disabled_backend_is_503_naming_it_and_the_others_still_serve() {
    // The operator sets no CATALOG_URL when the store disables catalog.
    let stack = Stack::start(|config| config.upstreams.retain(|u| u.name != "catalog")).await;
    for path in ["/api/pets", "/api/products/1", "/api/categories"] {
        let body = problem(stack.get(path).await, 503).await;
        assert_eq!(body["type"], "https://petstore.dev/problems/unavailable");
        assert_eq!(
            body["detail"], "the catalog service is disabled in this store",
            "{path}"
        );
    }
    assert!(stack.catalog.seen().is_empty());
    assert_eq!(stack.get("/api/users").await.status(), 201);
}

#[tokio::test]
async fn a_slow_upstream_is_503_after_the_timeout() {
    let stack = Stack::start(|config| config.upstream_timeout = Duration::from_secs(1)).await;
    let body = problem(stack.get("/api/pets/slow").await, 503).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("catalog") && detail.contains("in time"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_body_that_stalls_is_cut_off_after_the_timeout() {
    let stack = Stack::start(|config| config.upstream_timeout = Duration::from_secs(1)).await;
    let response = stack.get("/api/pets/stalled").await;
    assert_eq!(response.status(), 200, "the answer itself came at once");
    let body = tokio::time::timeout(Duration::from_secs(8), response.bytes())
        .await
        .expect("the gateway ends the stalled body well before the backend would");
    assert!(
        body.is_err(),
        "a cut-off body is an error, not a complete answer: {body:?}"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_and_never_forwarded() {
    let stack = Stack::start(|config| config.max_body_bytes = 1024).await;
    let response = stack
        .http
        .post(stack.url("/api/products"))
        .body(vec![b'x'; 2048])
        .send()
        .await
        .unwrap();
    let body = problem(response, 413).await;
    assert!(body["detail"].as_str().unwrap().contains("1024"));

    // Without a Content-Length the limit is enforced while streaming.
    let chunks =
        futures_util::stream::iter((0..3).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 600])));
    let response = stack
        .http
        .post(stack.url("/api/products"))
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    problem(response, 413).await;
    assert!(stack.upstreams_saw_nothing());

    // Exactly at the limit is fine.
    let response = stack
        .http
        .post(stack.url("/api/products"))
        .body(vec![b'z'; 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn request_ids_are_generated_or_kept_and_reach_the_upstream() {
    let stack = Stack::start(|_| {}).await;
    let response = stack.get("/api/products").await;
    let generated = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["requestId"], generated.as_str());

    let response = stack
        .http
        .get(stack.url("/api/users"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["requestId"], "trace-me-123");
    assert_eq!(
        stack.users.seen()[0].headers["x-request-id"],
        "trace-me-123"
    );
}

#[tokio::test]
async fn forwarding_headers_from_an_untrusted_client_are_replaced() {
    let stack = Stack::start(|_| {}).await;
    let response = stack
        .http
        .get(stack.url("/api/pets"))
        .header("x-forwarded-for", "6.6.6.6")
        .header("connection", "x-hop")
        .header("x-hop", "secret")
        .send()
        .await
        .unwrap();
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["forwardedFor"], "127.0.0.1");
    assert!(!stack.catalog.seen()[0].headers.contains_key("x-hop"));
}

/// Sends `GET <path>` byte for byte (an HTTP client would resolve the dot segments
/// first, as the gateway's own client did before it checked) and returns the status
/// line's code and the body.
async fn raw_get(stack: &Stack, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(stack.gateway.addr)
        .await
        .expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.expect("read");
    let code = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

#[tokio::test]
async fn dot_segments_never_walk_out_of_a_backends_prefix() {
    let stack = Stack::start(|_| {}).await;
    for path in [
        "/api/auth/%2e%2e/%2e%2e/status",
        "/api/products/%2e%2e/%2e%2e/metrics",
        "/api/auth/../../status",
        "/api/products/./../../ready",
        "/api/products/%2E%2e/x",
        "/api/products/..%2f..%2fmetrics",
        "/api/products/a%5c..",
    ] {
        let (code, body) = raw_get(&stack, path).await;
        assert_eq!(code, 400, "{path}: {body}");
        let problem: Value = serde_json::from_str(&body).expect("a problem document");
        assert_eq!(problem["type"], "https://petstore.dev/problems/bad-request");
        assert_eq!(problem["errors"][0]["field"], "path", "{path}");
    }
    assert!(stack.upstreams_saw_nothing());
    // An ordinary path still goes through, byte for byte.
    let (code, _) = raw_get(&stack, "/api/products/..x/%20y").await;
    assert_eq!(code, 201);
    assert_eq!(
        stack.catalog.seen()[0].path,
        "/api/products/..x/%20y",
        "forwarded unchanged"
    );
}
