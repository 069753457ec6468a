//! Consumers against the real PostgreSQL and RabbitMQ: idempotence, retries, dead-lettering.
#![cfg(feature = "testing")]
// Helpers outside #[test] functions are test code too: failing fast is what they should do.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use kit::events::{
    ATTEMPTS_HEADER, Broker, Envelope, EventHandler, HandlerError, Subscription, dlq_name,
};
use kit::testing::{
    TcpProxy, TestDatabase, amqp_connect, amqp_url, eventually, get, publish_raw, queue_exists,
};
use lapin::options::{ConfirmSelectOptions, QueueDeleteOptions};
use lapin::types::AMQPValue;
use lapin::{Channel, Connection};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);
const CONSUMER: &str = "kit-test";

/// Counts its effects in `kit_test_effects`, keyed by event id, in the handler's transaction.
#[derive(Clone)]
struct Counting {
    calls: Arc<AtomicU32>,
    /// The first `transient_failures` calls fail transiently.
    transient_failures: u32,
    permanent: bool,
    /// The first `panics` calls panic (after writing their effect).
    panics: u32,
}

impl Counting {
    fn new(transient_failures: u32, permanent: bool) -> Self {
        Self {
            calls: Arc::new(AtomicU32::new(0)),
            transient_failures,
            permanent,
            panics: 0,
        }
    }

    fn panicking(panics: u32) -> Self {
        Self {
            panics,
            ..Self::new(0, false)
        }
    }

    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl EventHandler for Counting {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        // The effect is written before failing, so a rollback that did not happen would show.
        sqlx::query(
            "INSERT INTO kit_test_effects (event_id, n) VALUES ($1, 1) \
             ON CONFLICT (event_id) DO UPDATE SET n = kit_test_effects.n + 1",
        )
        .bind(event.id)
        .execute(&mut *tx)
        .await?;
        assert!(call > self.panics, "handler bug on call {call}");
        if self.permanent {
            return Err(HandlerError::permanent("always wrong"));
        }
        if call <= self.transient_failures {
            return Err(HandlerError::transient("not yet"));
        }
        Ok(())
    }
}

struct Fixture {
    db: TestDatabase,
    amqp: Connection,
    publisher: Channel,
    queue: String,
    event_type: String,
    broker: Broker,
    shutdown: CancellationToken,
    consumer: JoinHandle<()>,
}

impl Fixture {
    async fn start(handler: Counting, max_attempts: u32) -> Self {
        Self::start_via(handler, max_attempts, amqp_url()).await
    }

    /// Like [`Fixture::start`], with the consumer's broker connection going to `url`.
    async fn start_via(handler: Counting, max_attempts: u32, url: String) -> Self {
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
        let queue = format!("kit-test.consumer.{}", Uuid::new_v4().simple());
        let event_type = format!("kit-test.{}", Uuid::new_v4().simple());
        let subscription =
            Subscription::new(queue.clone(), &[&event_type]).with_max_attempts(max_attempts);
        let shutdown = CancellationToken::new();
        let broker = Broker::new(url);
        let consumer = broker.spawn_consumer(
            db.pool.clone(),
            CONSUMER,
            subscription,
            handler,
            shutdown.clone(),
        );
        let (conn, q) = (&amqp, queue.as_str());
        assert!(
            eventually(WAIT, || async move { queue_exists(conn, q).await }).await,
            "the consumer declares its queue"
        );
        Self {
            db,
            amqp,
            publisher,
            queue,
            event_type,
            broker,
            shutdown,
            consumer,
        }
    }

    /// Publishes straight to the consumer's queue, as a redelivery or retry would arrive.
    async fn publish(&self, payload: &[u8]) {
        publish_raw(&self.publisher, &self.queue, payload).await;
    }

    async fn publish_event(&self, envelope: &Envelope) {
        self.publish(&serde_json::to_vec(envelope).unwrap()).await;
    }

    fn envelope(&self, n: u32) -> Envelope {
        Envelope::new("kit-test", &self.event_type, &json!({ "n": n })).unwrap()
    }

    async fn dead_lettered(&self) -> Option<lapin::message::Delivery> {
        get(&self.publisher, &dlq_name(&self.queue), WAIT).await
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.consumer.await.unwrap();
        for queue in [self.queue.clone(), dlq_name(&self.queue)] {
            self.publisher
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await
                .unwrap();
        }
        let _ = self.amqp.close(200, "done".into()).await;
        self.db.drop_database().await;
    }
}

async fn effects(pool: &PgPool, id: Uuid) -> Option<i32> {
    sqlx::query_scalar("SELECT n FROM kit_test_effects WHERE event_id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .unwrap()
}

async fn committed(pool: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM kit.processed_events WHERE consumer = $1 AND event_id = $2)",
    )
    .bind(CONSUMER)
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn attempts_header(delivery: &lapin::message::Delivery) -> Option<i32> {
    match delivery
        .properties
        .headers()
        .as_ref()?
        .inner()
        .get(ATTEMPTS_HEADER)?
    {
        AMQPValue::LongInt(n) => Some(*n),
        _ => None,
    }
}

#[tokio::test]
async fn an_event_delivered_twice_has_one_effect() {
    let handler = Counting::new(0, false);
    let fx = Fixture::start(handler.clone(), 5).await;
    let twice = fx.envelope(1);
    let sentinel = fx.envelope(2);
    fx.publish_event(&twice).await;
    fx.publish_event(&twice).await;
    // Deliveries are handled in order: once the sentinel's effect is visible, both copies
    // have been handled.
    fx.publish_event(&sentinel).await;

    let pool = &fx.db.pool;
    let sentinel_id = sentinel.id;
    assert!(eventually(WAIT, || async move { committed(pool, sentinel_id).await }).await);
    assert_eq!(effects(pool, twice.id).await, Some(1));
    assert_eq!(
        handler.calls(),
        2,
        "the duplicate never reaches the handler"
    );
    fx.stop().await;
}

#[tokio::test]
async fn a_transient_failure_is_retried_until_it_succeeds() {
    let handler = Counting::new(2, false);
    let fx = Fixture::start(handler.clone(), 5).await;
    let event = fx.envelope(1);
    fx.publish_event(&event).await;

    let (pool, id) = (&fx.db.pool, event.id);
    assert!(eventually(WAIT, || async move { committed(pool, id).await }).await);
    assert_eq!(handler.calls(), 3);
    assert_eq!(
        effects(pool, id).await,
        Some(1),
        "failed attempts were rolled back"
    );
    fx.stop().await;
}

#[tokio::test]
async fn an_always_failing_event_ends_in_the_dlq_after_max_attempts() {
    let handler = Counting::new(u32::MAX, false);
    let fx = Fixture::start(handler.clone(), 3).await;
    let event = fx.envelope(1);
    fx.publish_event(&event).await;

    let dead = fx.dead_lettered().await.expect("the event reaches the DLQ");
    let dead_envelope: Envelope = serde_json::from_slice(&dead.data).unwrap();
    assert_eq!(dead_envelope, event);
    assert_eq!(attempts_header(&dead), Some(3));
    assert_eq!(handler.calls(), 3);
    assert_eq!(effects(&fx.db.pool, event.id).await, None);
    assert!(!committed(&fx.db.pool, event.id).await);
    fx.stop().await;
}

#[tokio::test]
async fn a_permanent_failure_goes_straight_to_the_dlq() {
    let handler = Counting::new(0, true);
    let fx = Fixture::start(handler.clone(), 5).await;
    let event = fx.envelope(1);
    fx.publish_event(&event).await;

    let dead = fx.dead_lettered().await.expect("the event reaches the DLQ");
    let dead_envelope: Envelope = serde_json::from_slice(&dead.data).unwrap();
    assert_eq!(dead_envelope.id, event.id);
    assert_eq!(handler.calls(), 1);
    assert_eq!(effects(&fx.db.pool, event.id).await, None);
    fx.stop().await;
}

#[tokio::test]
async fn a_panicking_handler_is_retried_and_its_effect_rolled_back() {
    let handler = Counting::panicking(2);
    let fx = Fixture::start(handler.clone(), 5).await;
    let event = fx.envelope(1);
    fx.publish_event(&event).await;

    let (pool, id) = (&fx.db.pool, event.id);
    assert!(eventually(WAIT, || async move { committed(pool, id).await }).await);
    assert_eq!(handler.calls(), 3);
    assert_eq!(
        effects(pool, id).await,
        Some(1),
        "panicked attempts rolled back"
    );
    fx.stop().await;
}

#[tokio::test]
async fn a_handler_that_always_panics_ends_in_the_dlq_and_the_consumer_goes_on() {
    let handler = Counting::panicking(3);
    let fx = Fixture::start(handler.clone(), 3).await;
    let poison = fx.envelope(1);
    fx.publish_event(&poison).await;

    let dead = fx.dead_lettered().await.expect("the event reaches the DLQ");
    assert_eq!(attempts_header(&dead), Some(3));
    assert_eq!(effects(&fx.db.pool, poison.id).await, None);

    let next = fx.envelope(2);
    fx.publish_event(&next).await;
    let (pool, id) = (&fx.db.pool, next.id);
    assert!(eventually(WAIT, || async move { committed(pool, id).await }).await);
    assert_eq!(handler.calls(), 4);
    fx.stop().await;
}

#[tokio::test]
async fn a_malformed_message_goes_to_the_dlq() {
    let handler = Counting::new(0, false);
    let fx = Fixture::start(handler.clone(), 5).await;
    fx.publish(b"this is not json").await;

    let dead = fx
        .dead_lettered()
        .await
        .expect("the message reaches the DLQ");
    assert_eq!(dead.data, b"this is not json");
    assert_eq!(handler.calls(), 0);

    // The consumer keeps going after a poison message.
    let event = fx.envelope(1);
    fx.publish_event(&event).await;
    let (pool, id) = (&fx.db.pool, event.id);
    assert!(eventually(WAIT, || async move { committed(pool, id).await }).await);
    fx.stop().await;
}

#[tokio::test]
async fn a_consumer_resumes_after_the_broker_connection_drops() {
    let proxy = TcpProxy::start("127.0.0.1:5672".parse().unwrap()).await;
    let handler = Counting::new(0, false);
    let url = format!("amqp://guest:guest@{}/%2f", proxy.addr());
    let fx = Fixture::start_via(handler.clone(), 5, url).await;
    assert!(fx.broker.wait_connected(WAIT).await);

    proxy.cut();
    let broker = &fx.broker;
    assert!(eventually(WAIT, || async move { !broker.is_connected() }).await);
    // Published while the consumer is cut off: it waits in the durable queue.
    let event = fx.envelope(1);
    fx.publish_event(&event).await;

    proxy.restore();
    let (pool, id) = (&fx.db.pool, event.id);
    assert!(eventually(WAIT, || async move { committed(pool, id).await }).await);
    assert_eq!(effects(pool, id).await, Some(1));
    fx.stop().await;
}
