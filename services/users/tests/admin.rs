//! Admin routes: listing users and changing roles.

mod common;

use common::{expect, problem_fields, start, str_of};
use kit::auth::Role;
use kit::testing::pages;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn admins_list_paginate_and_filter_users() {
    let app = start().await;
    let mut ids = Vec::new();
    for (email, name) in [
        ("alice@example.org", "Alice"),
        ("bob@example.org", "Bob the Builder"),
        ("carol@shop.test", "Carol"),
        ("dave@example.org", "Dave"),
    ] {
        ids.push(str_of(&app.register(email, name).await["id"]));
    }
    app.make_admin(&ids[2]).await;
    let admin = app.admin_token();

    let all = expect(app.get("/api/users", Some(&admin)).await, StatusCode::OK).await;
    assert_eq!(all["total"], 4);
    assert_eq!(all["limit"], 20);
    assert_eq!(all["offset"], 0);
    assert_eq!(all["items"].as_array().unwrap().len(), 4);

    let page = expect(
        app.get("/api/users?limit=2&offset=1&count=exact", Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["total"], 4);
    let emails: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| str_of(&u["email"]))
        .collect();
    assert_eq!(emails, ["bob@example.org", "carol@shop.test"]);
    let get = |u: String| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let url = app.url(&u);
            kit::testing::send(
                &app.http,
                reqwest::Method::GET,
                url,
                Some(&admin),
                None,
                &[],
            )
            .await
        }
    };
    pages::assert_walk_is_whole("/api/users", get).await;
    pages::assert_cursor_checked("/api/users", "/api/users?role=customer", get).await;

    let admins = expect(
        app.get("/api/users?role=admin", Some(&admin)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(admins["total"], 1);
    assert_eq!(admins["items"][0]["id"], ids[2].as_str());

    let by_name = expect(
        app.get("/api/users?q=BUILDER", Some(&admin)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_name["total"], 1);
    assert_eq!(by_name["items"][0]["email"], "bob@example.org");

    let by_email = expect(
        app.get("/api/users?q=shop.test&role=customer", Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_email["total"], 0);

    let wildcard = expect(
        app.get("/api/users?q=%25", Some(&admin)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wildcard["total"], 0, "% is searched literally");

    let one = expect(
        app.get(&format!("/api/users/{}", ids[1]), Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["displayName"], "Bob the Builder");
    app.finish().await;
}

#[tokio::test]
async fn bad_list_parameters_are_named() {
    let app = start().await;
    let admin = app.admin_token();
    for (query, fields) in [
        ("limit=0", vec!["limit"]),
        ("limit=101&offset=-1", vec!["limit", "offset"]),
        ("limit=many", vec!["limit"]),
        ("role=superuser", vec!["role"]),
    ] {
        let response = app.get(&format!("/api/users?{query}"), Some(&admin)).await;
        assert_eq!(
            problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            fields,
            "{query}"
        );
    }
    let long = format!("/api/users?q={}", "x".repeat(101));
    assert_eq!(
        problem_fields(
            app.get(&long, Some(&admin)).await,
            StatusCode::UNPROCESSABLE_ENTITY
        )
        .await,
        ["q"]
    );
    app.finish().await;
}

#[tokio::test]
async fn admin_routes_refuse_customers_and_anonymous_callers() {
    let app = start().await;
    let (id, customer, _) = app.user("jane@example.org").await;
    let role_path = format!("/api/users/{id}/role");
    let body = json!({ "role": "admin" });
    let requests = [
        app.get("/api/users", Some(&customer)).await,
        app.get(&format!("/api/users/{id}"), Some(&customer)).await,
        app.json(Method::PUT, &role_path, Some(&customer), &body)
            .await,
        app.json(Method::PATCH, &role_path, Some(&customer), &body)
            .await,
    ];
    for response in requests {
        problem_fields(response, StatusCode::FORBIDDEN).await;
    }
    let expired = app.keys.expired_token(Role::Admin);
    let tampered = app.keys.tampered_token();
    for token in [None, Some(expired.as_str()), Some(tampered.as_str())] {
        problem_fields(app.get("/api/users", token).await, StatusCode::UNAUTHORIZED).await;
        let change = app.json(Method::PUT, &role_path, token, &body).await;
        problem_fields(change, StatusCode::UNAUTHORIZED).await;
    }
    let me = expect(
        app.get("/api/users/me", Some(&customer)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["role"], "customer");
    app.finish().await;
}

#[tokio::test]
async fn admins_change_roles_but_never_demote_the_last_admin() {
    let app = start().await;
    let boss = str_of(&app.register("boss@example.org", "Boss").await["id"]);
    app.make_admin(&boss).await;
    let boss_token = str_of(&app.login("boss@example.org").await["accessToken"]);
    let jane = str_of(&app.register("jane@example.org", "Jane").await["id"]);

    // The only admin cannot demote themselves: nobody changes their own role.
    let demote_self = app
        .json(
            Method::PUT,
            &format!("/api/users/{boss}/role"),
            Some(&boss_token),
            &json!({ "role": "customer" }),
        )
        .await;
    problem_fields(demote_self, StatusCode::FORBIDDEN).await;

    let promoted = expect(
        app.json(
            Method::PATCH,
            &format!("/api/users/{jane}/role"),
            Some(&boss_token),
            &json!({ "role": "admin" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(promoted["role"], "admin");

    // With two admins, one may go.
    let jane_token = str_of(&app.login("jane@example.org").await["accessToken"]);
    let demoted = expect(
        app.json(
            Method::PUT,
            &format!("/api/users/{boss}/role"),
            Some(&jane_token),
            &json!({ "role": "customer" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(demoted["role"], "customer");

    // Jane is now the last admin, and nobody can demote her: not a token claiming to be
    // an admin without being one, not herself.
    for token in [app.admin_token(), jane_token] {
        let demote_jane = app
            .json(
                Method::PUT,
                &format!("/api/users/{jane}/role"),
                Some(&token),
                &json!({ "role": "customer" }),
            )
            .await;
        problem_fields(demote_jane, StatusCode::FORBIDDEN).await;
    }
    let role: String = sqlx::query_scalar("SELECT role::text FROM users WHERE id = $1::uuid")
        .bind(&jane)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(role, "admin");
    app.finish().await;
}

#[tokio::test]
async fn a_demoted_admin_loses_its_rights_at_once_and_cannot_promote_itself() {
    let app = start().await;
    let boss = str_of(&app.register("boss@example.org", "Boss").await["id"]);
    app.make_admin(&boss).await;
    let boss_token = str_of(&app.login("boss@example.org").await["accessToken"]);
    let eve = str_of(&app.register("eve@example.org", "Eve").await["id"]);
    app.make_admin(&eve).await;
    let eve_session = app.login("eve@example.org").await;
    let eve_admin_token = str_of(&eve_session["accessToken"]);
    expect(
        app.get("/api/users", Some(&eve_admin_token)).await,
        StatusCode::OK,
    )
    .await;

    expect(
        app.json(
            Method::PUT,
            &format!("/api/users/{eve}/role"),
            Some(&boss_token),
            &json!({ "role": "customer" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // Eve's admin token still has 15 minutes to live; it no longer counts for anything
    // (within the revocations' reload interval).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let status = app.get("/api/users", Some(&eve_admin_token)).await.status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(
            status,
            StatusCode::OK,
            "before the reload, the old token still reads"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the old token still counts"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Nor can it promote her back.
    let promote_self = app
        .json(
            Method::PATCH,
            &format!("/api/users/{eve}/role"),
            Some(&eve_admin_token),
            &json!({ "role": "admin" }),
        )
        .await;
    problem_fields(promote_self, StatusCode::UNAUTHORIZED).await;

    // Her next refresh carries her new role, which is not enough.
    let refreshed = expect(
        app.post(
            "/api/auth/refresh",
            None,
            &json!({ "refreshToken": str_of(&eve_session["refreshToken"]) }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let customer_token = str_of(&refreshed["accessToken"]);
    problem_fields(
        app.get("/api/users", Some(&customer_token)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let promote = app
        .json(
            Method::PATCH,
            &format!("/api/users/{eve}/role"),
            Some(&customer_token),
            &json!({ "role": "admin" }),
        )
        .await;
    problem_fields(promote, StatusCode::FORBIDDEN).await;
    // The refreshed token works for what a customer may do.
    expect(
        app.get("/api/users/me", Some(&customer_token)).await,
        StatusCode::OK,
    )
    .await;
    app.finish().await;
}

#[tokio::test]
async fn unknown_and_malformed_ids_and_bad_roles() {
    let app = start().await;
    // A real administrator: role changes re-read the caller.
    let boss = str_of(&app.register("boss@example.org", "Boss").await["id"]);
    app.make_admin(&boss).await;
    let admin = str_of(&app.login("boss@example.org").await["accessToken"]);
    let unknown = uuid::Uuid::new_v4();
    problem_fields(
        app.get(&format!("/api/users/{unknown}"), Some(&admin))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let change = app
        .json(
            Method::PUT,
            &format!("/api/users/{unknown}/role"),
            Some(&admin),
            &json!({ "role": "admin" }),
        )
        .await;
    problem_fields(change, StatusCode::NOT_FOUND).await;

    // The kit names a malformed UUID path parameter `path` (axum reports it
    // as a deserialize error without the key the kit looks for).
    let malformed = problem_fields(
        app.get("/api/users/not-a-uuid", Some(&admin)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(malformed.len(), 1);
    let change = app
        .json(
            Method::PUT,
            "/api/users/42/role",
            Some(&admin),
            &json!({ "role": "admin" }),
        )
        .await;
    problem_fields(change, StatusCode::BAD_REQUEST).await;

    let id = str_of(&app.register("jane@example.org", "Jane").await["id"]);
    let path = format!("/api/users/{id}/role");
    for body in [
        json!({ "role": "owner" }),
        json!({}),
        json!({ "role": "Admin" }),
    ] {
        let response = app.json(Method::PUT, &path, Some(&admin), &body).await;
        assert_eq!(
            problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            ["role"],
            "{body}"
        );
    }
    let response = app
        .json(Method::PUT, &path, Some(&admin), &json!({ "role": 1 }))
        .await;
    assert_eq!(
        problem_fields(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        ["role"]
    );
    let response = app
        .send_raw(Method::PUT, &path, Some(&admin), "text/plain", "role=admin")
        .await;
    problem_fields(response, StatusCode::BAD_REQUEST).await;
    app.finish().await;
}
