//! Retention of the event bookkeeping against the real PostgreSQL and RabbitMQ: what is
//! past its retention goes, what is not (or is unpublished) stays, and a redelivery inside
//! the window is still recognised as a duplicate.
#![cfg(feature = "testing")]
// Helpers outside #[test] functions are test code too: failing fast is what they should do.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use kit::events::retention::{self, BATCH_SIZE, MAX_BATCHES, Pruned, RetentionConfig};
use kit::events::{Broker, Envelope, EventHandler, HandlerError, Subscription};
use kit::testing::{
    TestDatabase, amqp_connect, amqp_url, confirmed_channel, delete_queues, eventually,
    publish_to_queue, wait_for_queue,
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(30);
const CONSUMER: &str = "kit-test";

/// An outbox row created `created` ago and published `published` ago (never if `None`).
async fn outbox_row(pool: &PgPool, created: &str, published: Option<&str>) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO kit.outbox (id, event_type, envelope, created_at, published_at) \
         VALUES ($1, 'kit-test.retention', '{}', now() - $2::interval, now() - $3::interval)",
    )
    .bind(id)
    .bind(created)
    .bind(published)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A processed-event record of `consumer` made `age` ago.
async fn processed(pool: &PgPool, consumer: &str, id: Uuid, age: &str) {
    sqlx::query(
        "INSERT INTO kit.processed_events (consumer, event_id, processed_at) \
         VALUES ($1, $2, now() - $3::interval) \
         ON CONFLICT (consumer, event_id) DO UPDATE SET processed_at = EXCLUDED.processed_at",
    )
    .bind(consumer)
    .bind(id)
    .bind(age)
    .execute(pool)
    .await
    .unwrap();
}

async fn outbox_has(pool: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM kit.outbox WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn remembered(pool: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM kit.processed_events WHERE event_id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn what_is_past_its_retention_is_pruned_and_the_rest_kept() {
    let db = TestDatabase::create().await;
    let pool = &db.pool;
    let old_published = outbox_row(pool, "3 days", Some("2 days")).await;
    let recent_published = outbox_row(pool, "3 days", Some("23 hours")).await;
    let old_unpublished = outbox_row(pool, "30 days", None).await;
    let (old, recent, other_old) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    processed(pool, "orders", old, "8 days").await;
    processed(pool, "orders", recent, "6 days 23 hours").await;
    processed(pool, "payments", other_old, "10 days").await;

    let pruned = retention::prune(pool, &RetentionConfig::default())
        .await
        .unwrap();
    assert_eq!(
        pruned,
        Pruned {
            outbox: 1,
            processed_events: 2,
            more_due: false,
        }
    );
    assert!(!outbox_has(pool, old_published).await);
    assert!(outbox_has(pool, recent_published).await);
    assert!(
        outbox_has(pool, old_unpublished).await,
        "an unpublished row is never pruned, however old"
    );
    assert!(!remembered(pool, old).await && !remembered(pool, other_old).await);
    assert!(remembered(pool, recent).await);

    // Retention periods are what the configuration says, not constants.
    let shorter = RetentionConfig {
        outbox: Duration::from_secs(3_600),
        processed_events: Duration::from_secs(86_400),
        ..RetentionConfig::default()
    };
    let pruned = retention::prune(pool, &shorter).await.unwrap();
    assert_eq!(
        pruned,
        Pruned {
            outbox: 1,
            processed_events: 1,
            more_due: false,
        }
    );
    assert!(outbox_has(pool, old_unpublished).await);
    db.drop_database().await;
}

#[tokio::test]
async fn the_retention_indexes_exist_and_are_valid() {
    let db = TestDatabase::create().await;
    let valid: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'kit' AND i.indisvalid ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    for index in ["outbox_published_idx", "processed_events_age_idx"] {
        assert!(
            valid.iter().any(|name| name == index),
            "{index} in {valid:?}"
        );
    }
    db.drop_database().await;
}

#[tokio::test]
async fn a_round_is_bounded_and_the_next_one_goes_on() {
    let db = TestDatabase::create().await;
    let limit = BATCH_SIZE * i64::from(MAX_BATCHES);
    let extra = 250;
    sqlx::query(
        "INSERT INTO kit.processed_events (consumer, event_id, processed_at) \
         SELECT 'bulk', gen_random_uuid(), now() - interval '8 days' FROM generate_series(1, $1)",
    )
    .bind(limit + extra)
    .execute(&db.pool)
    .await
    .unwrap();

    let config = RetentionConfig::default();
    let first = retention::prune(&db.pool, &config).await.unwrap();
    assert_eq!(first.processed_events, u64::try_from(limit).unwrap());
    assert!(first.more_due, "the round stopped at its bound");
    let second = retention::prune(&db.pool, &config).await.unwrap();
    assert_eq!(second.processed_events, u64::try_from(extra).unwrap());
    assert!(!second.more_due);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM kit.processed_events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    db.drop_database().await;
}

/// Counts its calls per event and records each effect in `kit_test_effects`.
#[derive(Clone, Default)]
struct Counting {
    calls: Arc<AtomicU32>,
}

impl EventHandler for Counting {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        sqlx::query(
            "INSERT INTO kit_test_effects (event_id, n) VALUES ($1, 1) \
             ON CONFLICT (event_id) DO UPDATE SET n = kit_test_effects.n + 1",
        )
        .bind(event.id)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

async fn effects(pool: &PgPool, id: Uuid) -> Option<i32> {
    sqlx::query_scalar("SELECT n FROM kit_test_effects WHERE event_id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_event_redelivered_inside_the_window_is_still_a_duplicate_after_pruning() {
    let db = TestDatabase::create().await;
    sqlx::query("CREATE TABLE kit_test_effects (event_id uuid PRIMARY KEY, n int NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    let queue = format!("kit-test.retention.{}", Uuid::new_v4().simple());
    let event_type = format!("kit-test.{}", Uuid::new_v4().simple());
    let handler = Counting::default();
    let shutdown = CancellationToken::new();
    let broker = Broker::new(amqp_url());
    let consumer = broker.spawn_consumer(
        db.pool.clone(),
        CONSUMER,
        Subscription::new(queue.clone(), &[&event_type]),
        handler.clone(),
        shutdown.clone(),
    );
    let amqp = amqp_connect().await;
    wait_for_queue(&amqp, &queue, WAIT).await;
    let channel = confirmed_channel(&amqp).await;
    let envelope = |n: u32| Envelope::new("kit-test", &event_type, &json!({ "n": n })).unwrap();
    let (event, sentinel) = (envelope(1), envelope(2));

    publish_to_queue(&channel, &queue, &event).await;
    let (pool, id) = (&db.pool, event.id);
    assert!(eventually(WAIT, || async move { effects(pool, id).await == Some(1) }).await);

    // Six days on, just inside the default window, the retention job runs: it keeps the
    // record, though it prunes an older one of the same consumer.
    processed(pool, CONSUMER, event.id, "6 days").await;
    let forgotten = Uuid::new_v4();
    processed(pool, CONSUMER, forgotten, "7 days 1 hour").await;
    let pruned = retention::prune(pool, &RetentionConfig::default())
        .await
        .unwrap();
    assert_eq!(pruned.processed_events, 1);
    assert!(!remembered(pool, forgotten).await);

    // The event arrives again (a lost ack, a republish): no second effect. Deliveries are
    // handled in order, so once the sentinel's effect shows, the copy was handled.
    publish_to_queue(&channel, &queue, &event).await;
    publish_to_queue(&channel, &queue, &sentinel).await;
    let sentinel_id = sentinel.id;
    assert!(
        eventually(WAIT, || async move {
            effects(pool, sentinel_id).await == Some(1)
        })
        .await
    );
    assert_eq!(effects(pool, event.id).await, Some(1));
    assert_eq!(
        handler.calls.load(Ordering::SeqCst),
        2,
        "the redelivered copy never reached the handler"
    );

    shutdown.cancel();
    consumer.await.unwrap();
    let _ = amqp.close(200, "done".into()).await;
    delete_queues(&[&queue]).await;
    db.drop_database().await;
}
