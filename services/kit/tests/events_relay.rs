//! Outbox and relay against the real PostgreSQL and RabbitMQ.
#![cfg(feature = "testing")]
// Helpers outside #[test] functions are test code too: failing fast is what they should do.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use kit::events::{Broker, EVENTS_EXCHANGE, Envelope, Outbox};
use kit::testing::{TcpProxy, TestDatabase, TestQueue, amqp_connect, amqp_url, eventually};
use lapin::options::ExchangeDeclareOptions;
use lapin::types::FieldTable;
use lapin::{Connection, ExchangeKind};
use serde_json::json;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

/// The test queue is bound before any relay ran, so the exchange must exist already; the
/// declaration is identical to the kit's, hence idempotent.
async fn declare_events_exchange(conn: &Connection) {
    let channel = conn.create_channel().await.unwrap();
    channel
        .exchange_declare(
            EVENTS_EXCHANGE.into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    channel.close(200, "done".into()).await.unwrap();
}

/// An event type nobody else uses, so concurrent tests and services do not interfere.
fn unique_event_type() -> String {
    format!("kit-test.{}", Uuid::new_v4().simple())
}

async fn unsent(pool: &PgPool, ids: &[Uuid]) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM kit.outbox WHERE id = ANY($1) AND published_at IS NULL",
    )
    .bind(ids)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn committed_events_are_published_and_rolled_back_ones_are_not() {
    let db = TestDatabase::create().await;
    let amqp = amqp_connect().await;
    declare_events_exchange(&amqp).await;
    let event_type = unique_event_type();
    let queue = TestQueue::declare(&amqp, "kit-test.relay", EVENTS_EXCHANGE, &[&event_type]).await;

    let broker = Broker::new(amqp_url());
    let shutdown = CancellationToken::new();
    let relay = broker.spawn_relay(db.pool.clone(), shutdown.clone());
    let outbox = Outbox::new("kit-test");

    // Enqueued first: had it leaked, it would arrive before the committed one.
    let mut tx = db.pool.begin().await.unwrap();
    let rolled_back = outbox
        .enqueue(&mut tx, &event_type, &json!({ "n": 0 }))
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    let mut tx = db.pool.begin().await.unwrap();
    let id = outbox
        .enqueue(&mut tx, &event_type, &json!({ "n": 1 }))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let delivery = queue
        .next(WAIT)
        .await
        .expect("the committed event is published");
    let received: Envelope = serde_json::from_slice(&delivery.data).unwrap();
    let stored: serde_json::Value =
        sqlx::query_scalar("SELECT envelope FROM kit.outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let stored: Envelope = serde_json::from_value(stored).unwrap();
    assert_eq!(received, stored);
    assert_eq!(received.id, id);
    assert_eq!(received.event_type, event_type);
    assert_eq!(received.source, "kit-test");
    assert_eq!(received.data, json!({ "n": 1 }));

    let properties = &delivery.properties;
    assert_eq!(*properties.delivery_mode(), Some(2), "persistent");
    assert_eq!(
        properties.content_type().as_ref().map(|v| v.as_str()),
        Some("application/json")
    );
    assert_eq!(
        properties
            .message_id()
            .as_ref()
            .map(|v| v.as_str().to_owned()),
        Some(id.to_string())
    );
    assert_eq!(
        properties.kind().as_ref().map(|v| v.as_str()),
        Some(event_type.as_str())
    );
    assert_eq!(delivery.routing_key.as_str(), event_type);

    let pool = &db.pool;
    assert!(eventually(WAIT, || async move { unsent(pool, &[id]).await == 0 }).await);
    let leaked: i64 = sqlx::query_scalar("SELECT count(*) FROM kit.outbox WHERE id = $1")
        .bind(rolled_back)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(leaked, 0, "a rolled-back event leaves no outbox row");
    assert!(
        queue.next(Duration::from_millis(300)).await.is_none(),
        "nothing else was published"
    );

    shutdown.cancel();
    relay.await.unwrap();
    queue.delete().await;
    db.drop_database().await;
}

#[tokio::test]
async fn outbox_keeps_events_while_the_broker_is_unreachable() {
    const N: usize = 5;
    let db = TestDatabase::create().await;
    let amqp = amqp_connect().await;
    declare_events_exchange(&amqp).await;
    let event_type = unique_event_type();
    let queue = TestQueue::declare(&amqp, "kit-test.outage", EVENTS_EXCHANGE, &[&event_type]).await;

    let upstream: SocketAddr = "127.0.0.1:5672".parse().unwrap();
    let proxy = TcpProxy::start(upstream).await;
    let broker = Broker::new(format!("amqp://guest:guest@{}/%2f", proxy.addr()));
    assert!(broker.wait_connected(WAIT).await);
    let shutdown = CancellationToken::new();
    let relay = broker.spawn_relay(db.pool.clone(), shutdown.clone());

    proxy.cut();
    let handle = &broker;
    assert!(eventually(WAIT, || async move { !handle.is_connected() }).await);

    let outbox = Outbox::new("kit-test");
    let mut ids = Vec::with_capacity(N);
    for n in 0..N {
        let mut tx = db.pool.begin().await.unwrap();
        ids.push(
            outbox
                .enqueue(&mut tx, &event_type, &json!({ "n": n }))
                .await
                .unwrap(),
        );
        tx.commit().await.unwrap();
    }
    assert_eq!(
        unsent(&db.pool, &ids).await,
        N as i64,
        "events wait in the outbox"
    );
    assert!(!broker.is_connected());

    proxy.restore();
    let expected: HashSet<Uuid> = ids.iter().copied().collect();
    let mut received = HashSet::new();
    while received != expected {
        let delivery = queue
            .next(WAIT)
            .await
            .expect("every event arrives once the broker is back");
        let envelope: Envelope = serde_json::from_slice(&delivery.data).unwrap();
        assert!(expected.contains(&envelope.id), "unexpected event");
        received.insert(envelope.id);
    }
    assert!(broker.is_connected());
    let (pool, ids) = (&db.pool, &ids);
    assert!(eventually(WAIT, || async move { unsent(pool, ids).await == 0 }).await);

    shutdown.cancel();
    relay.await.unwrap();
    queue.delete().await;
    db.drop_database().await;
}

/// A deferred event waits for its delay and is then published like any other; one that
/// is withdrawn before is never published, and withdrawing is then a no-op.
#[tokio::test]
async fn deferred_events_wait_for_their_delay_and_withdrawn_ones_never_leave() {
    let db = TestDatabase::create().await;
    let amqp = amqp_connect().await;
    declare_events_exchange(&amqp).await;
    let event_type = unique_event_type();
    let queue =
        TestQueue::declare(&amqp, "kit-test.deferred", EVENTS_EXCHANGE, &[&event_type]).await;
    let broker = Broker::new(amqp_url());
    let shutdown = CancellationToken::new();
    let relay = broker.spawn_relay(db.pool.clone(), shutdown.clone());
    let outbox = Outbox::new("kit-test");
    let delay = Duration::from_secs(3);

    let mut tx = db.pool.begin().await.unwrap();
    let withdrawn = outbox
        .enqueue_deferred(&mut tx, &event_type, &json!({ "n": "withdrawn" }), delay)
        .await
        .unwrap();
    let kept = outbox
        .enqueue_deferred(&mut tx, &event_type, &json!({ "n": "kept" }), delay)
        .await
        .unwrap();
    // An ordinary event of the same transaction goes at once, past the deferred ones.
    let at_once = outbox
        .enqueue(&mut tx, &event_type, &json!({ "n": "at once" }))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(outbox.withdraw(&db.pool, withdrawn).await.unwrap());

    let first = queue.next(WAIT).await.expect("the ordinary event");
    let first: Envelope = serde_json::from_slice(&first.data).unwrap();
    assert_eq!(first.id, at_once);
    // Well inside the delay, nothing else has left.
    assert!(queue.next(Duration::from_millis(1000)).await.is_none());
    assert_eq!(unsent(&db.pool, &[kept]).await, 1);

    let second = queue
        .next(WAIT)
        .await
        .expect("the deferred event, once due");
    let second: Envelope = serde_json::from_slice(&second.data).unwrap();
    assert_eq!(second.id, kept);
    assert_eq!(second.data, json!({ "n": "kept" }));
    let pool = &db.pool;
    assert!(eventually(WAIT, || async move { unsent(pool, &[kept]).await == 0 }).await);
    // The withdrawn one is gone for good; withdrawing a published event changes nothing.
    assert!(queue.next(Duration::from_millis(1500)).await.is_none());
    assert!(!outbox.withdraw(&db.pool, kept).await.unwrap());
    assert!(!outbox.withdraw(&db.pool, withdrawn).await.unwrap());

    shutdown.cancel();
    relay.await.unwrap();
    queue.delete().await;
    db.drop_database().await;
}
