//! A role change announced by the users service takes effect here at once: the demoted
//! administrator's tokens stop counting, through the real broker and database.

mod common;

use common::{App, WAIT};
use kit::auth::Role;
use kit::events::Envelope;
use kit::revocation::{USER_ROLE_CHANGED, UserRoleChanged};
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_demoted_administrators_token_stops_counting_once_the_change_arrives() {
    let app = App::start().await;
    let eve = Uuid::new_v4();
    let old_token = app.keys.token_for(eve, Role::Admin);
    let create = |slug: &'static str| {
        let body = json!({ "name": slug, "slug": slug }).to_string();
        app.send(
            Method::POST,
            "/api/categories",
            Some(&old_token),
            Some(body),
        )
    };
    assert_eq!(create("before").await.status, StatusCode::CREATED);

    let change = UserRoleChanged {
        user_id: eve,
        role: Role::Customer,
        changed_at: chrono::Utc::now(),
    };
    let event = Envelope::new("users", USER_ROLE_CHANGED, &change).expect("an envelope");
    let revocations = app.queue(kit::service::REVOCATIONS_QUEUE);
    kit::testing::publish(&revocations, &[&event], WAIT).await;

    let deadline = std::time::Instant::now() + WAIT;
    let refused = loop {
        let reply = create("after").await;
        if reply.status != StatusCode::CREATED {
            break reply;
        }
        // Created while the change was still on its way: remove it and try again.
        let id = reply.body["id"].as_str().expect("an id").to_string();
        app.send(
            Method::DELETE,
            &format!("/api/categories/{id}"),
            Some(&app.admin),
            None,
        )
        .await;
        assert!(
            std::time::Instant::now() < deadline,
            "the old token still counts"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{:#}",
        refused.body
    );
    // Other administrators are not affected.
    let other = app.keys.token(Role::Admin).1;
    let body = json!({ "name": "other", "slug": "other" }).to_string();
    let reply = app
        .send(Method::POST, "/api/categories", Some(&other), Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    app.stop().await;
}
