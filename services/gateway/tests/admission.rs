//! Tokens and rate limits: what the gateway refuses before any backend sees it.

mod common;

use common::{Stack, problem};
use kit::auth::Role;
use serde_json::Value;

#[tokio::test]
async fn valid_tokens_are_forwarded_and_requests_without_one_too() {
    let stack = Stack::start(|_| {}).await;
    let (_, token) = stack.keys.token(Role::Customer);
    let response = stack
        .http
        .get(stack.url("/api/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["authorization"], format!("Bearer {token}"));

    // No token: the backend decides what is public.
    assert_eq!(stack.get("/api/products").await.status(), 201);
}

#[tokio::test]
async fn bad_tokens_are_401_at_the_gateway() {
    let stack = Stack::start(|_| {}).await;
    let cases = [
        ("Bearer not.a.token".to_string(), "malformed"),
        (
            format!("Bearer {}", stack.keys.expired_token(Role::Admin)),
            "expired",
        ),
        (
            format!("Bearer {}", stack.keys.tampered_token()),
            "signature",
        ),
        (format!("Bearer {}", common_foreign_token()), "signature"),
        ("Basic dXNlcjpwYXNz".to_string(), "Bearer"),
    ];
    for (authorization, why) in cases {
        let response = stack
            .http
            .post(stack.url("/api/products"))
            .header("authorization", &authorization)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body = problem(response, 401).await;
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(why), "{authorization}: {detail}");
    }
    assert!(stack.upstreams_saw_nothing());
}

fn common_foreign_token() -> String {
    kit::testing::TestKeys::generate().token(Role::Admin).1
}

#[tokio::test]
async fn the_per_ip_limit_is_429_with_retry_after() {
    let stack = Stack::start(|config| config.rate_limit_per_ip_per_minute = 2).await;
    assert_eq!(stack.get("/api/products").await.status(), 201);
    assert_eq!(stack.get("/api/users").await.status(), 201);
    let response = stack.get("/api/pets").await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body = problem(response, 429).await;
    assert_eq!(body["type"], "https://petstore.dev/problems/rate-limited");
    assert_eq!(stack.catalog.seen().len() + stack.users.seen().len(), 2);

    // Health, readiness and docs are never limited.
    for path in [
        "/health",
        "/ready",
        "/api/health",
        "/docs/",
        "/openapi.json",
    ] {
        // /api/health answers 503 here (only two fake backends run), but never 429.
        let status = stack.get(path).await.status();
        assert!(
            status == 200 || (path == "/api/health" && status == 503),
            "{path}: {status}"
        );
    }
}

#[tokio::test]
async fn the_per_user_limit_holds_across_ips_and_spares_other_users() {
    let stack = Stack::start(|config| {
        config.trusted_proxy_hops = 1;
        config.rate_limit_per_ip_per_minute = 2;
        config.rate_limit_per_user_per_minute = 3;
    })
    .await;
    let (_, alice) = stack.keys.token(Role::Customer);
    let (_, bob) = stack.keys.token(Role::Customer);
    let call = |token: Option<String>, ip: &'static str| {
        let mut request = stack
            .http
            .get(stack.url("/api/products"))
            .header("x-forwarded-for", ip);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap() }
    };
    // Alice from three addresses: the IP limit (2) never trips, hers (3) does.
    for ip in ["10.1.0.1", "10.1.0.2", "10.1.0.3"] {
        assert_eq!(call(Some(alice.clone()), ip).await.status(), 201, "{ip}");
    }
    let refused = call(Some(alice.clone()), "10.1.0.4").await;
    assert!(refused.headers().contains_key("retry-after"));
    problem(refused, 429).await;
    // Bob, and anonymous callers, from one of Alice's addresses: unaffected.
    assert_eq!(call(Some(bob.clone()), "10.1.0.1").await.status(), 201);
    // ...but that address has now used its two requests.
    problem(call(None, "10.1.0.1").await, 429).await;
    assert_eq!(call(None, "10.1.0.9").await.status(), 201);
    // The client IP came from the trusted X-Forwarded-For entry and was passed on.
    let seen = stack.catalog.seen();
    assert_eq!(seen[0].headers["x-forwarded-for"], "10.1.0.1, 127.0.0.1");
}

#[tokio::test]
async fn zero_disables_the_limits() {
    let stack = Stack::start(|config| {
        config.rate_limit_per_ip_per_minute = 0;
        config.rate_limit_per_user_per_minute = 0;
    })
    .await;
    let (_, token) = stack.keys.token(Role::Admin);
    for _ in 0..20 {
        let response = stack
            .http
            .get(stack.url("/api/pets"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
}
