//! `GET` and `PATCH /api/users/me`.

mod common;

use common::{PASSWORD, expect, problem_fields, start, str_of};
use kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn me_returns_the_caller() {
    let app = start().await;
    let (id, access, _) = app.user("jane@example.org").await;
    let me = expect(
        app.get("/api/users/me", Some(&access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["id"], id.as_str());
    assert_eq!(me["email"], "jane@example.org");
    app.finish().await;
}

#[tokio::test]
async fn me_needs_a_valid_token() {
    let app = start().await;
    let expired = app.keys.expired_token(Role::Customer);
    let tampered = app.keys.tampered_token();
    let foreign = kit::testing::TestKeys::generate().token(Role::Customer).1;
    for token in [
        None,
        Some(expired.as_str()),
        Some(tampered.as_str()),
        Some(foreign.as_str()),
        Some("garbage"),
    ] {
        let response = app.get("/api/users/me", token).await;
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        problem_fields(response, StatusCode::UNAUTHORIZED).await;
    }
    let patch = app
        .json(
            Method::PATCH,
            "/api/users/me",
            None,
            &json!({ "displayName": "X" }),
        )
        .await;
    problem_fields(patch, StatusCode::UNAUTHORIZED).await;
    app.finish().await;
}

#[tokio::test]
async fn a_token_for_a_missing_account_is_404() {
    let app = start().await;
    let (_, token) = app.keys.token(Role::Customer);
    let response = app.get("/api/users/me", Some(&token)).await;
    problem_fields(response, StatusCode::NOT_FOUND).await;
    app.finish().await;
}

#[tokio::test]
async fn patch_me_changes_the_display_name() {
    let app = start().await;
    let (_, access, _) = app.user("jane@example.org").await;
    let updated = expect(
        app.json(
            Method::PATCH,
            "/api/users/me",
            Some(&access),
            &json!({ "displayName": "  Jane D. " }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["displayName"], "Jane D.");
    let me = expect(
        app.get("/api/users/me", Some(&access)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["displayName"], "Jane D.");
    app.finish().await;
}

#[tokio::test]
async fn patch_me_validates_every_field() {
    let app = start().await;
    let (_, access, _) = app.user("jane@example.org").await;
    let cases = [
        (json!({ "displayName": "" }), vec!["displayName"]),
        (
            json!({ "displayName": "x".repeat(101) }),
            vec!["displayName"],
        ),
        (json!({ "displayName": 5 }), vec!["displayName"]),
        (
            json!({ "password": "new password 42" }),
            vec!["currentPassword"],
        ),
        (json!({ "currentPassword": PASSWORD }), vec!["password"]),
        (
            json!({ "password": "weak", "currentPassword": PASSWORD, "displayName": "" }),
            vec!["displayName", "password"],
        ),
        (json!({ "email": "other@example.org" }), vec!["email"]),
        (json!({ "role": "admin" }), vec!["role"]),
    ];
    for (body, fields) in cases {
        let response = app
            .json(Method::PATCH, "/api/users/me", Some(&access), &body)
            .await;
        assert_eq!(
            problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            fields,
            "{body}"
        );
    }
    let response = app
        .send_raw(
            Method::PATCH,
            "/api/users/me",
            Some(&access),
            "application/json",
            "{",
        )
        .await;
    problem_fields(response, StatusCode::BAD_REQUEST).await;
    app.finish().await;
}

#[tokio::test]
async fn password_change_needs_the_current_password_and_ends_other_sessions() {
    let app = start().await;
    let (_, access, refresh) = app.user("jane@example.org").await;
    let new_password = "a whole new passphrase 9";

    let wrong = app
        .json(
            Method::PATCH,
            "/api/users/me",
            Some(&access),
            &json!({ "password": new_password, "currentPassword": "not my password 1" }),
        )
        .await;
    assert_eq!(
        problem_fields(wrong, StatusCode::UNPROCESSABLE_ENTITY).await,
        ["currentPassword"]
    );
    let ok = app
        .json(
            Method::PATCH,
            "/api/users/me",
            Some(&access),
            &json!({ "password": new_password, "currentPassword": PASSWORD }),
        )
        .await;
    expect(ok, StatusCode::OK).await;

    let old = app.try_login("jane@example.org", PASSWORD).await;
    problem_fields(old, StatusCode::UNAUTHORIZED).await;
    let new = app.try_login("jane@example.org", new_password).await;
    let session = expect(new, StatusCode::OK).await;
    assert_eq!(str_of(&session["user"]["email"]), "jane@example.org");

    let revoked = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({ "refreshToken": refresh }),
        )
        .await;
    problem_fields(revoked, StatusCode::UNAUTHORIZED).await;
    app.finish().await;
}

#[tokio::test]
async fn wrong_current_passwords_count_towards_the_lockout() {
    let app = start().await;
    let (_, access, _) = app.user("jane@example.org").await;
    let body =
        json!({ "password": "a whole new passphrase 9", "currentPassword": "guess number 1" });
    for _ in 0..5 {
        let response = app
            .json(Method::PATCH, "/api/users/me", Some(&access), &body)
            .await;
        problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let response = app
        .json(Method::PATCH, "/api/users/me", Some(&access), &body)
        .await;
    assert!(response.headers().contains_key("retry-after"));
    problem_fields(response, StatusCode::TOO_MANY_REQUESTS).await;
    let login = app.try_login("jane@example.org", PASSWORD).await;
    problem_fields(login, StatusCode::TOO_MANY_REQUESTS).await;
    // Changing only the display name needs no password and is not locked.
    let rename = app
        .json(
            Method::PATCH,
            "/api/users/me",
            Some(&access),
            &json!({ "displayName": "J" }),
        )
        .await;
    expect(rename, StatusCode::OK).await;
    app.finish().await;
}
