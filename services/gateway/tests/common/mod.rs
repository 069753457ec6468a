//! A gateway in front of two fake upstreams standing in for users and
//! catalog: the tests are about the gateway, so the backends only echo what
//! reached them.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use gateway::Gateway;
use gateway::config::{AllowedOrigins, Config, Upstream};
use kit::service::Service;
use kit::testing::{TestKeys, TestServer};
use serde_json::{Value, json};

/// One request as a fake upstream received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A tiny axum server that records and echoes every `/api` request.
#[derive(Clone)]
pub struct FakeUpstream {
    pub name: &'static str,
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeUpstream {
    pub async fn start(name: &'static str) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let fake = FakeUpstream {
            name,
            url: String::new(),
            seen,
        };
        let app = Router::new()
            .route("/ready", get(|| async { "ready" }))
            .route(
                "/openapi.json",
                get(move || async move {
                    axum::Json(json!({
                        "openapi": "3.1.0",
                        "info": { "title": format!("fake {name}"), "version": "1" },
                        "paths": {}
                    }))
                }),
            )
            .route("/api/products/conflict", any(conflict))
            .route("/api/pets/slow", any(slow))
            .route("/api/pets/stalled", any(stalled))
            .fallback(echo)
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeUpstream { url, ..fake }
    }

    /// Everything that reached this upstream so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn echo(
    State(fake): State<FakeUpstream>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().expect("text header").to_string())
    };
    let answer = json!({
        "service": fake.name,
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query(),
        "requestId": header("x-request-id"),
        "forwardedFor": header("x-forwarded-for"),
        "forwardedProto": header("x-forwarded-proto"),
        "authorization": header("authorization"),
        "body": String::from_utf8_lossy(&body),
    });
    fake.seen.lock().expect("lock").push(Seen {
        method,
        path: uri.path().to_string(),
        query: uri.query().map(String::from),
        headers,
        body,
    });
    (
        StatusCode::CREATED,
        [("x-upstream", fake.name)],
        axum::Json(answer),
    )
        .into_response()
}

async fn conflict() -> Response {
    (
        StatusCode::CONFLICT,
        [("content-type", "application/problem+json")],
        r#"{"type":"https://petstore.dev/problems/conflict","title":"Conflict","status":409,"detail":"sku already exists"}"#,
    )
        .into_response()
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(10)).await;
    "too late"
}

/// Answers at once, sends part of its body, then falls silent for 10 s.
async fn stalled() -> Response {
    let chunks = futures_util::stream::unfold(0, |sent| async move {
        match sent {
            0 => Some((Ok::<_, std::io::Error>(Bytes::from_static(b"partial ")), 1)),
            1 => {
                tokio::time::sleep(Duration::from_secs(10)).await;
                Some((Ok(Bytes::from_static(b"too late")), 2))
            }
            _ => None,
        }
    });
    axum::body::Body::from_stream(chunks).into_response()
}

/// A URL nothing listens on.
pub async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    drop(listener);
    url
}

/// The gateway, its fakes and the key pair its tokens are signed with.
pub struct Stack {
    pub gateway: TestServer,
    pub users: FakeUpstream,
    pub catalog: FakeUpstream,
    pub keys: TestKeys,
    pub http: reqwest::Client,
}

impl Stack {
    /// Users and catalog up; generous limits; `tune` adjusts the config.
    pub async fn start(tune: impl FnOnce(&mut Config)) -> Self {
        Self::start_with(true, tune).await
    }

    /// Like [`Stack::start`], with catalog's URL pointing nowhere when `catalog_up` is false.
    pub async fn start_with(catalog_up: bool, tune: impl FnOnce(&mut Config)) -> Self {
        let users = FakeUpstream::start("users").await;
        let catalog = FakeUpstream::start("catalog").await;
        let keys = TestKeys::generate();
        let mut upstreams = Vec::new();
        for spec in petstore_contract::backends() {
            let url = match spec.name {
                "users" => users.url.clone(),
                "catalog" if catalog_up => catalog.url.clone(),
                // Services the contract gains later: routed, but nothing listens.
                _ => dead_url().await,
            };
            upstreams.push(Upstream {
                name: spec.name,
                base_url: url.parse().expect("a valid upstream URL"),
            });
        }
        let mut config = Config {
            listen: kit::listen::ListenAddrs::ephemeral(),
            verifier: keys.verifier(),
            upstreams,
            cors_allowed_origins: AllowedOrigins::None,
            rate_limit_per_ip_per_minute: 10_000,
            rate_limit_per_user_per_minute: 10_000,
            trusted_proxy_hops: 0,
            upstream_timeout: Duration::from_secs(5),
            max_body_bytes: 1024,
        };
        tune(&mut config);
        let gateway =
            TestServer::start(|listener, shutdown| Gateway::serve(config, listener, shutdown))
                .await;
        Stack {
            gateway,
            users,
            catalog,
            keys,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.gateway.url(path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("send the request")
    }

    /// Nothing reached either fake upstream.
    pub fn upstreams_saw_nothing(&self) -> bool {
        self.users.seen().is_empty() && self.catalog.seen().is_empty()
    }
}

/// The problem document of a response, checking its media type and status.
pub async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("a JSON problem body");
    assert_eq!(body["status"], status);
    body
}
