//! A concurrent subscription against the real PostgreSQL and RabbitMQ: deliveries of
//! different keys are applied at the same time, the deliveries of one key in queue order,
//! and each still exactly once.
#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kit::events::{Broker, Envelope, EventHandler, HandlerError, Subscription, dlq_name};
use kit::testing::{TestDatabase, amqp_connect, amqp_url, eventually, publish_raw, queue_exists};
use lapin::options::{ConfirmSelectOptions, QueueDeleteOptions};
use serde_json::json;
use sqlx::PgConnection;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(20);
const KEYS: usize = 8;
const PER_KEY: usize = 6;

/// Records the order in which each key's events were applied, and how many were being
/// applied at once at most.
#[derive(Clone, Default)]
struct Recording {
    applied: Arc<Mutex<HashMap<String, Vec<u64>>>>,
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl EventHandler for Recording {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        // Long enough for deliveries of other keys to arrive meanwhile.
        tokio::time::sleep(Duration::from_millis(20)).await;
        sqlx::query("INSERT INTO kit_test_effects (event_id, n) VALUES ($1, 1)")
            .bind(event.id)
            .execute(&mut *tx)
            .await?;
        let key = event.data["orderId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let seq = event.data["seq"].as_u64().unwrap_or_default();
        self.applied
            .lock()
            .unwrap()
            .entry(key)
            .or_default()
            .push(seq);
        self.running.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn concurrent_lanes_keep_each_keys_order_and_apply_each_event_once() {
    let db = TestDatabase::create().await;
    sqlx::query("CREATE TABLE kit_test_effects (event_id uuid PRIMARY KEY, n int NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    let amqp = amqp_connect().await;
    let publisher = amqp.create_channel().await.unwrap();
    publisher
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let queue = format!("kit-test.concurrent.{}", Uuid::new_v4().simple());
    let event_type = format!("kit-test.{}", Uuid::new_v4().simple());
    let subscription = Subscription::new(queue.clone(), &[&event_type]).concurrent_by("orderId", 4);
    let handler = Recording::default();
    let shutdown = CancellationToken::new();
    let broker = Broker::new(amqp_url());
    let consumer = broker.spawn_consumer(
        db.pool.clone(),
        "kit-test",
        subscription,
        handler.clone(),
        shutdown.clone(),
    );
    let (conn, q) = (&amqp, queue.as_str());
    assert!(eventually(WAIT, || async move { queue_exists(conn, q).await }).await);

    // Interleaved: key 0 seq 0, key 1 seq 0, ..., key 0 seq 1, ...; plus a duplicate of
    // every first event, delivered right after it.
    let keys: Vec<String> = (0..KEYS).map(|_| Uuid::new_v4().to_string()).collect();
    for seq in 0..PER_KEY {
        for key in &keys {
            let event = Envelope::new(
                "kit-test",
                &event_type,
                &json!({ "orderId": key, "seq": seq }),
            )
            .unwrap();
            let payload = serde_json::to_vec(&event).unwrap();
            publish_raw(&publisher, &queue, &payload).await;
            if seq == 0 {
                publish_raw(&publisher, &queue, &payload).await;
            }
        }
    }

    let pool = &db.pool;
    let expected = i64::try_from(KEYS * PER_KEY).unwrap();
    assert!(
        eventually(WAIT, || async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM kit.processed_events")
                .fetch_one(pool)
                .await
                .unwrap()
                == expected
        })
        .await,
        "every event applied"
    );
    let effects: i64 = sqlx::query_scalar("SELECT sum(n) FROM kit_test_effects")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(effects, expected, "duplicates had no second effect");
    let applied = handler.applied.lock().unwrap().clone();
    let in_order: Vec<u64> = (0..PER_KEY as u64).collect();
    for key in &keys {
        assert_eq!(
            applied.get(key),
            Some(&in_order),
            "key {key} in queue order"
        );
    }
    assert!(
        handler.most.load(Ordering::SeqCst) > 1,
        "different keys were applied concurrently"
    );

    shutdown.cancel();
    consumer.await.unwrap();
    for queue in [queue.clone(), dlq_name(&queue)] {
        publisher
            .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
            .await
            .unwrap();
    }
    let _ = amqp.close(200, "done".into()).await;
    db.drop_database().await;
}
