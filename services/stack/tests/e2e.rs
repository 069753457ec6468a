//! End-to-end: the real binaries, started by the same harness as
//! `petstore-local`, driven through the gateway.

mod common;

use reqwest::StatusCode;
use serde_json::{Value, json};

async fn json(response: reqwest::Response, expected: StatusCode) -> Value {
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, expected, "unexpected status; body: {body}");
    serde_json::from_str(&body).expect("JSON body")
}

#[tokio::test(flavor = "multi_thread")]
async fn newcomer_flow_through_the_gateway() {
    let options = common::options("flow");
    let admin_email = options.bootstrap_admin_email.clone().expect("admin email");
    let stack = common::start(options).await;
    let api = |path: &str| format!("{}{path}", stack.gateway_url);
    let http = reqwest::Client::new();

    // The aggregated health sees every backend.
    let health = json(
        http.get(api("/api/health")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(health["status"], "ok", "{health}");

    // Register the bootstrap administrator and a customer, log in as both.
    let password = "correct horse battery 9";
    for email in [admin_email.as_str(), "customer@example.com"] {
        let body = json!({ "email": email, "password": password, "displayName": "E2E" });
        json(
            http.post(api("/api/auth/register"))
                .json(&body)
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
    }
    let login = |email: String| {
        let http = http.clone();
        let url = api("/api/auth/login");
        async move {
            let body = json!({ "email": email, "password": password });
            let session = json(
                http.post(url).json(&body).send().await.unwrap(),
                StatusCode::OK,
            )
            .await;
            session["accessToken"]
                .as_str()
                .expect("access token")
                .to_string()
        }
    };
    let admin = login(admin_email.clone()).await;
    let customer = login("customer@example.com".into()).await;

    // A customer may not change the catalog; an administrator may.
    let category = json!({ "name": "Dogs", "slug": "dogs" });
    let refused = http
        .post(api("/api/categories"))
        .bearer_auth(&customer)
        .json(&category)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let anonymous = http
        .post(api("/api/categories"))
        .json(&category)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let created = json(
        http.post(api("/api/categories"))
            .bearer_auth(&admin)
            .json(&category)
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let category_id = created["id"].as_str().expect("category id");

    let product = json!({
        "sku": "DOG-BONE-1",
        "name": "Chew bone",
        "description": "Beef-flavoured, for large dogs",
        "categoryId": category_id,
        "price": { "amount": 1299, "currency": "EUR" },
    });
    let created = json(
        http.post(api("/api/products"))
            .bearer_auth(&admin)
            .json(&product)
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let product_id = created["id"].as_str().expect("product id").to_string();

    // Anyone can browse.
    let categories = json(
        http.get(api("/api/categories")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(
        categories["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == category_id),
        "{categories}"
    );
    let products = json(
        http.get(api(&format!("/api/products?categoryId={category_id}")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(products["total"], 1, "{products}");
    assert_eq!(products["items"][0]["id"], product_id.as_str());
    assert_eq!(products["items"][0]["price"]["amount"], 1299);

    // A bad token is stopped at the gateway, with a problem document.
    let response = http
        .post(api("/api/products"))
        .bearer_auth("not-a-token")
        .json(&product)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );

    // Every response carries a request id.
    let response = http.get(api("/api/products")).send().await.unwrap();
    assert!(response.headers().contains_key("x-request-id"));

    stack.stop().await;
}

#[tokio::test]
async fn a_missing_broker_is_reported_clearly() {
    let mut options = common::options("nobroker");
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    options.amqp_url = format!("amqp://guest:guest@127.0.0.1:{closed}/%2f");
    let err = stack::Stack::start(options).await.unwrap_err().to_string();
    assert!(
        err.starts_with("RabbitMQ is not reachable at amqp://guest:***@127.0.0.1:"),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_database_server_is_reported_clearly() {
    let mut options = common::options("nodb");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    options.database_url = format!("postgres://postgres@127.0.0.1:{closed}/postgres");
    let err = stack::Stack::start(options).await.unwrap_err().to_string();
    assert!(err.starts_with("PostgreSQL is not reachable at"), "{err}");
}
