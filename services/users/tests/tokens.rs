//! Refresh-token rotation, reuse detection and logout.

mod common;

use common::{expect, problem_fields, start, str_of};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let app = start().await;
    let (id, _, first) = app.user("jane@example.org").await;
    let response = app
        .post("/api/auth/refresh", None, &json!({ "refreshToken": first }))
        .await;
    let session = expect(response, StatusCode::OK).await;
    assert_eq!(session["tokenType"], "Bearer");
    assert_eq!(session["user"]["id"], id.as_str());
    let second = str_of(&session["refreshToken"]);
    assert_ne!(second, first);
    let me = app
        .get("/api/users/me", Some(&str_of(&session["accessToken"])))
        .await;
    expect(me, StatusCode::OK).await;

    let response = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({ "refreshToken": second }),
        )
        .await;
    expect(response, StatusCode::OK).await;
    app.finish().await;
}

#[tokio::test]
async fn reusing_a_rotated_token_revokes_the_whole_family() {
    let app = start().await;
    let (_, _, first) = app.user("jane@example.org").await;
    // A second login is another family and must survive.
    let other = str_of(&app.login("jane@example.org").await["refreshToken"]);

    let session = expect(
        app.post("/api/auth/refresh", None, &json!({ "refreshToken": first }))
            .await,
        StatusCode::OK,
    )
    .await;
    let second = str_of(&session["refreshToken"]);

    let reuse = app
        .post("/api/auth/refresh", None, &json!({ "refreshToken": first }))
        .await;
    problem_fields(reuse, StatusCode::UNAUTHORIZED).await;
    let newer = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({ "refreshToken": second }),
        )
        .await;
    problem_fields(newer, StatusCode::UNAUTHORIZED).await;

    let unrelated = app
        .post("/api/auth/refresh", None, &json!({ "refreshToken": other }))
        .await;
    expect(unrelated, StatusCode::OK).await;
    app.finish().await;
}

#[tokio::test]
async fn unknown_expired_and_malformed_refresh_tokens_are_refused() {
    let app = start().await;
    let (_, _, token) = app.user("jane@example.org").await;
    let unknown = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({ "refreshToken": "not-a-token-we-issued" }),
        )
        .await;
    problem_fields(unknown, StatusCode::UNAUTHORIZED).await;

    sqlx::query(
        "UPDATE refresh_tokens SET issued_at = now() - interval '2 hours', \
         expires_at = now() - interval '1 hour'",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let expired = app
        .post("/api/auth/refresh", None, &json!({ "refreshToken": token }))
        .await;
    problem_fields(expired, StatusCode::UNAUTHORIZED).await;

    for body in [
        json!({}),
        json!({ "refreshToken": "" }),
        json!({ "refreshToken": 7 }),
    ] {
        let response = app.post("/api/auth/refresh", None, &body).await;
        assert_eq!(
            problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            ["refreshToken"],
            "{body}"
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = start().await;
    let (_, access, refresh) = app.user("jane@example.org").await;
    let body = json!({ "refreshToken": refresh });

    let anonymous = app.post("/api/auth/logout", None, &body).await;
    problem_fields(anonymous, StatusCode::UNAUTHORIZED).await;

    let response = app.post("/api/auth/logout", Some(&access), &body).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let again = app.post("/api/auth/logout", Some(&access), &body).await;
    assert_eq!(
        again.status(),
        StatusCode::NO_CONTENT,
        "logout is idempotent"
    );

    let refresh = app.post("/api/auth/refresh", None, &body).await;
    problem_fields(refresh, StatusCode::UNAUTHORIZED).await;
    app.finish().await;
}

#[tokio::test]
async fn logout_cannot_revoke_someone_elses_token() {
    let app = start().await;
    let (_, _, janes) = app.user("jane@example.org").await;
    let (_, johns_access, _) = app.user("john@example.org").await;
    let body = json!({ "refreshToken": janes });
    let response = app
        .post("/api/auth/logout", Some(&johns_access), &body)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let refresh = app.post("/api/auth/refresh", None, &body).await;
    expect(refresh, StatusCode::OK).await;
    app.finish().await;
}

#[tokio::test]
async fn a_role_change_shows_in_the_next_refresh() {
    let app = start().await;
    let (id, _, refresh) = app.user("jane@example.org").await;
    app.make_admin(&id).await;
    let session = expect(
        app.post(
            "/api/auth/refresh",
            None,
            &json!({ "refreshToken": refresh }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(session["user"]["role"], "admin");
    let list = app
        .get("/api/users", Some(&str_of(&session["accessToken"])))
        .await;
    expect(list, StatusCode::OK).await;
    app.finish().await;
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_let_only_one_through() {
    let app = start().await;
    let (_, _, token) = app.user("jane@example.org").await;
    let body = json!({ "refreshToken": token });
    let (a, b) = tokio::join!(
        app.post("/api/auth/refresh", None, &body),
        app.post("/api/auth/refresh", None, &body)
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNAUTHORIZED]);
    let winner = if a.status() == StatusCode::OK { a } else { b };
    let successor = str_of(&expect(winner, StatusCode::OK).await["refreshToken"]);
    // The loser presented a rotated token: the family, successor included, is revoked.
    let response = app
        .post(
            "/api/auth/refresh",
            None,
            &json!({ "refreshToken": successor }),
        )
        .await;
    problem_fields(response, StatusCode::UNAUTHORIZED).await;
    app.finish().await;
}
