//! `POST /api/auth/login` and the failed-login lockout.

mod common;

use common::{PASSWORD, expect, problem_fields, start, str_of};
use kit::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn login_returns_an_access_token_a_refresh_token_and_the_user() {
    let app = start().await;
    let user = app.register("jane@example.org", "Jane").await;
    let response = app.try_login(" JANE@example.org", PASSWORD).await;
    let session = expect(response, StatusCode::OK).await;
    assert_eq!(session["tokenType"], "Bearer");
    assert_eq!(session["expiresIn"], 900);
    assert_eq!(session["user"], user);
    assert_eq!(str_of(&session["refreshToken"]).len(), 43);

    let claims = app
        .keys
        .verifier()
        .verify(&str_of(&session["accessToken"]))
        .unwrap();
    assert_eq!(claims.sub.to_string(), str_of(&user["id"]));
    assert_eq!(claims.role, Role::Customer);
    assert_eq!(claims.exp - claims.iat, 900);

    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM refresh_tokens")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32, "only the SHA-256 of the token is stored");
    app.finish().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_answer_the_same_401() {
    let app = start().await;
    app.register("jane@example.org", "Jane").await;
    let wrong = expect(
        app.try_login("jane@example.org", "wrong password 1").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = expect(
        app.try_login("nobody@example.org", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["detail"], "invalid email or password");
    app.finish().await;
}

#[tokio::test]
async fn login_input_errors_are_named() {
    let app = start().await;
    let response = app
        .post(
            "/api/auth/login",
            None,
            &json!({ "email": "jane@example.org" }),
        )
        .await;
    assert_eq!(
        problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        ["password"]
    );
    let response = app
        .post(
            "/api/auth/login",
            None,
            &json!({ "email": "", "password": "" }),
        )
        .await;
    assert_eq!(
        problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        ["email", "password"]
    );
    let response = app
        .post(
            "/api/auth/login",
            None,
            &json!({ "email": ["jane@example.org"], "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        ["email"]
    );
    app.finish().await;
}

#[tokio::test]
async fn five_failures_lock_the_email_out_even_with_the_right_password() {
    let app = start().await;
    app.register("jane@example.org", "Jane").await;
    for _ in 0..5 {
        let response = app.try_login("jane@example.org", "wrong password 1").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = app.try_login("Jane@Example.org", PASSWORD).await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    problem_fields(response, StatusCode::TOO_MANY_REQUESTS).await;

    // Another email is unaffected.
    app.register("john@example.org", "John").await;
    app.login("john@example.org").await;

    // Once the window has passed, the right password works again.
    sqlx::query(
        "UPDATE login_failures SET locked_until = now() - interval '1 second', \
         window_started_at = now() - interval '1 hour'",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    app.login("jane@example.org").await;
    app.finish().await;
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn nobody_can_lock_someone_else_out_by_failing_on_purpose() {
    let app = start().await;
    app.register("jane@example.org", "Jane").await;
    let attacker = "203.0.113.7";
    for _ in 0..5 {
        let response = app
            .try_login_from(attacker, "jane@example.org", "guess 1")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    refused_but_jane_gets_in(&app, attacker).await;
    app.finish().await;
}

/// `guesser` is refused for Jane's account even with the right password, while Jane, from
/// an address that never failed, logs in.
async fn refused_but_jane_gets_in(app: &common::App, guesser: &str) {
    let response = app
        .try_login_from(guesser, "jane@example.org", PASSWORD)
        .await;
    assert!(retry_after(&response) >= 1);
    problem_fields(response, StatusCode::TOO_MANY_REQUESTS).await;
    let response = app
        .try_login_from("198.51.100.2", "jane@example.org", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn each_failure_past_the_limit_doubles_the_lockout() {
    let app = start().await;
    app.register("jane@example.org", "Jane").await;
    let client = "203.0.113.9";
    for _ in 0..5 {
        app.try_login_from(client, "jane@example.org", "guess 1")
            .await;
    }
    let first = retry_after(
        &app.try_login_from(client, "jane@example.org", PASSWORD)
            .await,
    );
    assert!((1..=30).contains(&first), "{first}");
    // The lockout runs out; the guesser fails once more and waits twice as long.
    sqlx::query("UPDATE login_failures SET locked_until = now() - interval '1 second'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let response = app
        .try_login_from(client, "jane@example.org", "guess 2")
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let second = retry_after(
        &app.try_login_from(client, "jane@example.org", PASSWORD)
            .await,
    );
    assert!((31..=60).contains(&second), "{second}");
    app.finish().await;
}

#[tokio::test]
async fn guessing_spread_over_many_addresses_is_braked_but_the_owner_gets_in() {
    let app = start().await;
    app.register("jane@example.org", "Jane").await;
    // Twenty addresses, one guess each: none reaches its own limit, the email's is reached.
    for i in 0..20 {
        let client = format!("192.0.2.{i}");
        let response = app
            .try_login_from(&client, "jane@example.org", "guess 1")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{client}");
    }
    // Every address that guessed now waits, even with the right password; an address that
    // never failed, Jane's, is not braked.
    refused_but_jane_gets_in(&app, "192.0.2.3").await;
    app.finish().await;
}

#[tokio::test]
async fn unknown_emails_are_locked_out_too() {
    let app = start().await;
    for _ in 0..5 {
        let response = app.try_login("nobody@example.org", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = app.try_login("nobody@example.org", PASSWORD).await;
    problem_fields(response, StatusCode::TOO_MANY_REQUESTS).await;
    app.finish().await;
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let app = start().await;
    app.register("jane@example.org", "Jane").await;
    for _ in 0..4 {
        app.try_login("jane@example.org", "wrong password 1").await;
    }
    app.login("jane@example.org").await;
    for _ in 0..4 {
        let response = app.try_login("jane@example.org", "wrong password 1").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    app.login("jane@example.org").await;
    app.finish().await;
}

#[tokio::test]
async fn login_prunes_expired_refresh_tokens_but_keeps_revoked_live_ones() {
    let app = start().await;
    let (_, _, first) = app.user("jane@example.org").await;
    let rotated = expect(
        app.post("/api/auth/refresh", None, &json!({ "refreshToken": first }))
            .await,
        StatusCode::OK,
    )
    .await;
    let second = str_of(&rotated["refreshToken"]);
    // Expire the newest token only: the revoked predecessor points at it.
    sqlx::query(
        "UPDATE refresh_tokens SET issued_at = now() - interval '2 hours', \
         expires_at = now() - interval '1 hour' WHERE revoked_at IS NULL",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    app.login("jane@example.org").await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM refresh_tokens")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        count, 2,
        "the revoked first token and the new login's token"
    );
    let gone = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({ "refreshToken": second }),
        )
        .await;
    problem_fields(gone, StatusCode::UNAUTHORIZED).await;
    app.finish().await;
}
