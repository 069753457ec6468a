//! The `order.paid` consumer, through the real RabbitMQ: a paid pet is sold, once.
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{App, WAIT};
use kit::events::Envelope;
use kit::testing::{
    amqp_connect, confirmed_channel, eventually, publish_to_queue as publish, wait_for_queue,
};
use serde_json::json;
use uuid::Uuid;

fn order_paid(lines: serde_json::Value) -> Envelope {
    Envelope::new(
        "orders",
        "order.paid",
        &json!({ "orderId": Uuid::new_v4(), "customerId": Uuid::new_v4(), "lines": lines }),
    )
    .unwrap()
}

async fn status(app: &App, pet: &str) -> String {
    app.get(&format!("/api/pets/{pet}")).await.body["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_paid_pet_is_sold_once_even_if_the_event_arrives_twice() {
    let app = App::start().await;
    let category = app.category("dogs", None).await;
    let rex = app.pet(&category, json!({ "name": "Rex" })).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tom = app
        .pet(&category, json!({ "name": "Tom", "status": "pending" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let amqp = amqp_connect().await;
    let queue = app.queue(catalog::ORDER_PAID_QUEUE);
    wait_for_queue(&amqp, &queue, WAIT).await;
    let channel = confirmed_channel(&amqp).await;

    let first = order_paid(json!([
        { "productId": Uuid::new_v4(), "quantity": 3 },
        { "petId": rex, "quantity": 1 },
        { "petId": Uuid::new_v4(), "quantity": 1 }
    ]));
    publish(&channel, &queue, &first).await;
    publish(&channel, &queue, &first).await;
    // The consumer handles its queue in order: once the later event's effect shows, both
    // copies of the first have been handled.
    let second = order_paid(json!([{ "petId": tom, "quantity": 1 }]));
    publish(&channel, &queue, &second).await;
    let app_ref = &app;
    let tom_ref = tom.as_str();
    assert!(
        eventually(
            WAIT,
            || async move { status(app_ref, tom_ref).await == "sold" }
        )
        .await,
        "the second order's pet is sold"
    );
    assert_eq!(status(&app, &rex).await, "sold");

    let updates = app.events_of("pet.updated").await;
    let for_rex: Vec<_> = updates
        .iter()
        .filter(|e| e["petId"] == rex.as_str())
        .collect();
    assert_eq!(
        for_rex.len(),
        1,
        "one effect for two deliveries: {updates:#?}"
    );
    assert_eq!(for_rex[0]["status"], "sold");
    assert_eq!(for_rex[0]["previous"]["status"], "available");
    let for_tom: Vec<_> = updates
        .iter()
        .filter(|e| e["petId"] == tom.as_str())
        .collect();
    assert_eq!(for_tom.len(), 1);
    assert_eq!(for_tom[0]["previous"]["status"], "pending");
    let processed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM kit.processed_events WHERE consumer = 'catalog' AND event_id = $1",
    )
    .bind(first.id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(processed, 1);

    // A pet that is already sold stays sold and is not announced again (the event id is
    // recorded in the same transaction as any effect, so once it shows, all is committed).
    let again = order_paid(json!([{ "petId": rex, "quantity": 1 }]));
    publish(&channel, &queue, &again).await;
    let pool = &app.db.pool;
    let id = again.id;
    assert!(
        eventually(WAIT, || async move {
            sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM kit.processed_events WHERE event_id = $1)",
            )
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
        })
        .await
    );
    let updates = app.events_of("pet.updated").await;
    assert_eq!(
        updates
            .iter()
            .filter(|e| e["petId"] == rex.as_str())
            .count(),
        1
    );

    let _ = amqp.close(200, "done".into()).await;
    app.stop().await;
}
