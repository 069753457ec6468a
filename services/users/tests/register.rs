//! `POST /api/auth/register`.

mod common;

use common::{PASSWORD, expect, problem_fields, start, start_with, str_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn registers_a_customer_and_publishes_the_event() {
    let app = start().await;
    let response = app
        .post(
            "/api/auth/register",
            None,
            &json!({ "email": "  Jane.Doe@Example.ORG ", "password": PASSWORD, "displayName": " Jane " }),
        )
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let user = expect(response, StatusCode::CREATED).await;
    let id = str_of(&user["id"]);
    assert_eq!(location, format!("/api/users/{id}"));
    assert_eq!(user["email"], "jane.doe@example.org");
    assert_eq!(user["displayName"], "Jane");
    assert_eq!(user["role"], "customer");
    assert!(user.get("passwordHash").is_none() && user.get("password").is_none());
    assert!(user["createdAt"].as_str().unwrap().ends_with('Z'));

    let (event_type, envelope): (String, Value) =
        sqlx::query_as("SELECT event_type, envelope FROM kit.outbox")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(event_type, "user.registered");
    assert_eq!(envelope["source"], "users");
    let data = &envelope["data"];
    assert_eq!(data["userId"], id.as_str());
    assert_eq!(data["email"], "jane.doe@example.org");
    assert_eq!(data["displayName"], "Jane");
    assert_eq!(data["role"], "customer");
    assert!(data["registeredAt"].as_str().unwrap().ends_with('Z'));

    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    app.finish().await;
}

#[tokio::test]
async fn duplicate_email_is_409_naming_email_even_in_another_case() {
    let app = start().await;
    app.register("jane@example.org", "Jane").await;
    for email in ["jane@example.org", " JANE@Example.org"] {
        let response = app
            .post(
                "/api/auth/register",
                None,
                &json!({ "email": email, "password": PASSWORD, "displayName": "Other" }),
            )
            .await;
        assert_eq!(
            problem_fields(response, StatusCode::CONFLICT).await,
            ["email"]
        );
    }
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM kit.outbox")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(events, 1, "a refused registration publishes nothing");
    app.finish().await;
}

#[tokio::test]
async fn invalid_fields_are_all_named() {
    let app = start().await;
    let cases = [
        (
            json!({ "email": "not-an-email", "password": "short1", "displayName": "x".repeat(101) }),
            vec!["email", "password", "displayName"],
        ),
        (
            json!({ "email": "jane@example.org", "password": "onlyletterslong", "displayName": "" }),
            vec!["password", "displayName"],
        ),
        (
            json!({ "email": "jane@example.org", "password": "jane-secret-2024", "displayName": "Jane" }),
            vec!["password"],
        ),
        (
            json!({ "email": "jane@example.org", "password": "a1".repeat(65), "displayName": "Jane" }),
            vec!["password"],
        ),
        (
            json!({ "email": "jane@example.org", "displayName": "Jane" }),
            vec!["password"],
        ),
        (
            json!({ "email": 42, "password": PASSWORD, "displayName": "Jane" }),
            vec!["email"],
        ),
        (
            json!({ "email": "jane@example.org", "password": PASSWORD, "displayName": "Jane", "role": "admin" }),
            vec!["role"],
        ),
    ];
    for (body, fields) in cases {
        let response = app.post("/api/auth/register", None, &body).await;
        assert_eq!(
            problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            fields,
            "{body}"
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn malformed_json_and_wrong_content_type_are_400() {
    let app = start().await;
    let response = app
        .send_raw(
            Method::POST,
            "/api/auth/register",
            None,
            "application/json",
            "{\"email\": ",
        )
        .await;
    problem_fields(response, StatusCode::BAD_REQUEST).await;
    let body = json!({ "email": "jane@example.org", "password": PASSWORD, "displayName": "Jane" });
    let response = app
        .send_raw(
            Method::POST,
            "/api/auth/register",
            None,
            "text/plain",
            &body.to_string(),
        )
        .await;
    problem_fields(response, StatusCode::BAD_REQUEST).await;
    app.finish().await;
}

#[tokio::test]
async fn the_bootstrap_email_becomes_the_first_admin() {
    let app = start_with(|config| {
        config.bootstrap_admin_email = Some("boss@example.org".into());
    })
    .await;
    let someone = app.register("someone@example.org", "Someone").await;
    assert_eq!(someone["role"], "customer");
    let boss = app.register("Boss@Example.org", "Boss").await;
    assert_eq!(boss["role"], "admin");
    let session = app.login("boss@example.org").await;
    assert_eq!(session["user"]["role"], "admin");
    let response = app
        .get("/api/users", Some(&str_of(&session["accessToken"])))
        .await;
    expect(response, StatusCode::OK).await;
    app.finish().await;
}

#[tokio::test]
async fn the_bootstrap_email_is_a_customer_once_an_admin_exists() {
    let app = start_with(|config| {
        config.bootstrap_admin_email = Some("boss@example.org".into());
    })
    .await;
    let first = app.register("first@example.org", "First").await;
    app.make_admin(&str_of(&first["id"])).await;
    let boss = app.register("boss@example.org", "Boss").await;
    assert_eq!(boss["role"], "customer");
    app.finish().await;
}
