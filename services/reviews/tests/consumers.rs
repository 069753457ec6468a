//! The reviews' consumer, through the real RabbitMQ: paid orders verify purchases, deleted
//! products take their reviews along; duplicate deliveries have one effect.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, order_paid, product_deleted};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_paid_order_verifies_existing_and_future_reviews_once() {
    let app = App::start().await;
    let reviewed = Uuid::new_v4();
    let later = Uuid::new_v4();
    let not_bought = Uuid::new_v4();
    let before = app.review_as(&app.token, reviewed, 4).await;
    let unrelated = app.review_as(&app.token, not_bought, 2).await;
    assert_eq!(before["verified"], false);

    let paid = order_paid(app.user, &[reviewed, later]);
    app.publish(&[&paid, &paid]).await;
    app.wait_processed(paid.id).await;

    let id = before["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/reviews/{id}")).await.body["verified"],
        true
    );
    let other = unrelated["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/reviews/{other}")).await.body["verified"],
        false
    );
    // A review written after the purchase is verified from the start, and says so.
    let after = app.review_as(&app.token, later, 5).await;
    assert_eq!(after["verified"], true);
    let created = app.events_of("review.created").await;
    assert_eq!(created.last().unwrap()["verified"], true);
    // Someone else's review of the same product is not verified by this order.
    assert_eq!(app.review(later, 3).await["verified"], false);

    assert_eq!(
        app.processed(paid.id).await,
        1,
        "one effect for two deliveries"
    );
    let purchases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purchases WHERE user_id = $1")
        .bind(app.user)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(purchases, 2);
    let verified = app.get("/api/reviews?verified=true").await;
    assert_eq!(verified.body["total"], 2);
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_product_takes_its_reviews_and_purchases_along() {
    let app = App::start().await;
    let doomed = Uuid::new_v4();
    let kept = Uuid::new_v4();
    let review = app.review(doomed, 5).await;
    app.review(doomed, 3).await;
    app.review(kept, 4).await;
    let paid = order_paid(app.user, &[doomed]);
    let deleted = product_deleted(doomed);
    app.publish(&[&paid, &deleted, &deleted]).await;
    app.wait_processed(deleted.id).await;

    let id = review["id"].as_str().unwrap();
    app.get(&format!("/api/reviews/{id}"))
        .await
        .assert_problem(404, "");
    let summary = app
        .get(&format!("/api/reviews/products/{doomed}/summary"))
        .await;
    assert_eq!(summary.status, StatusCode::OK);
    assert_eq!(summary.body["count"], 0);
    assert_eq!(app.get("/api/reviews").await.body["total"], 1);
    let purchases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purchases WHERE product_id = $1")
        .bind(doomed)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(purchases, 0);
    assert_eq!(app.processed(deleted.id).await, 1);
    assert_eq!(
        app.get(&format!("/api/reviews/products/{kept}/summary"))
            .await
            .body["distribution"],
        json!({ "1": 0, "2": 0, "3": 0, "4": 1, "5": 0 })
    );
    app.stop().await;
}
