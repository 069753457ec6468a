//! Test support for the kit's and the services' own tests, against the real PostgreSQL and
//! RabbitMQ: a controllable TCP proxy, throw-away databases and inspection queues.
//!
//! These helpers panic on setup failures: in a test that is the most useful report.

mod app;
mod client;
mod harness;
pub mod pages;
mod proxy;

use std::time::Duration;

use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection as _, PgConnection, PgPool};
use uuid::Uuid;

use crate::events::Envelope;

pub use app::{TestKeys, TestServer, store_config};
pub use client::{Reply, send};
pub use harness::Harness;
pub use proxy::TcpProxy;

/// Default administrative database URL when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Default broker URL when `AMQP_URL` is not set.
pub const DEFAULT_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Administrative PostgreSQL URL: `DATABASE_URL`, or [`DEFAULT_DATABASE_URL`].
#[must_use]
pub fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

/// RabbitMQ URL: `AMQP_URL`, or [`DEFAULT_AMQP_URL`].
#[must_use]
pub fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| DEFAULT_AMQP_URL.to_owned())
}

/// A uniquely named database, created for one test, with the kit's migrations applied.
#[derive(Debug)]
pub struct TestDatabase {
    /// Pool connected to the test database.
    pub pool: PgPool,
    /// URL of the test database.
    pub url: String,
    name: String,
}

impl TestDatabase {
    /// Creates the database and applies the kit's migrations the way services do
    /// ([`crate::db::migrate`]).
    ///
    /// # Panics
    /// If PostgreSQL is unreachable or the migrations fail.
    pub async fn create() -> Self {
        let admin_url = database_url();
        let name = format!("kit_test_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .expect("connect to the administrative database");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        let url = with_database(&admin_url, &name);
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await
            .expect("connect to the test database");
        crate::db::migrate(&pool, None)
            .await
            .expect("apply the kit migrations");
        Self { pool, url, name }
    }

    /// Closes the pool and drops the database (best effort).
    pub async fn drop_database(self) {
        self.pool.close().await;
        if let Ok(mut admin) = PgConnection::connect(&database_url()).await {
            // FORCE: background tasks of the test (e.g. a relay's LISTEN connection) may still
            // be connected.
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .await;
            let _ = admin.close().await;
        }
    }
}

/// Replaces the database name (the URL path) of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Opens a direct connection to the broker (not through any proxy).
///
/// # Panics
/// If RabbitMQ is unreachable.
pub async fn amqp_connect() -> Connection {
    Connection::connect(&amqp_url(), ConnectionProperties::default())
        .await
        .expect("connect to RabbitMQ")
}

/// A uniquely named, non-durable queue for inspecting what reaches the broker; deleted by
/// [`TestQueue::delete`].
#[derive(Debug)]
pub struct TestQueue {
    channel: Channel,
    /// Name of the queue.
    pub name: String,
}

impl TestQueue {
    /// Declares `<prefix>.<uuid>` and binds it to `exchange` with each routing key (none: an
    /// unbound queue, e.g. to publish to through the default exchange).
    ///
    /// # Panics
    /// If the broker refuses a declaration.
    pub async fn declare(
        conn: &Connection,
        prefix: &str,
        exchange: &str,
        routing_keys: &[&str],
    ) -> Self {
        let channel = conn.create_channel().await.expect("open a channel");
        let name = format!("{prefix}.{}", Uuid::new_v4().simple());
        channel
            .queue_declare(
                name.as_str().into(),
                QueueDeclareOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("declare the test queue");
        for key in routing_keys {
            channel
                .queue_bind(
                    name.as_str().into(),
                    exchange.into(),
                    (*key).into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .expect("bind the test queue");
        }
        Self { channel, name }
    }

    /// Waits up to `timeout` for the next message of the queue and acks it.
    pub async fn next(&self, timeout: Duration) -> Option<Delivery> {
        get(&self.channel, &self.name, timeout).await
    }

    /// Deletes the queue.
    pub async fn delete(self) {
        let _ = self
            .channel
            .queue_delete(self.name.as_str().into(), QueueDeleteOptions::default())
            .await;
        let _ = self.channel.close(200, "done".into()).await;
    }
}

/// Polls `queue` with `basic.get` for up to `timeout`; the message, if any, is acked.
///
/// # Panics
/// If the broker fails the request (e.g. the queue does not exist).
pub async fn get(channel: &Channel, queue: &str, timeout: Duration) -> Option<Delivery> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let message = channel
            .basic_get(queue.into(), BasicGetOptions::default())
            .await
            .expect("basic.get");
        if let Some(message) = message {
            let delivery = message.delivery;
            delivery
                .acker
                .ack(BasicAckOptions::default())
                .await
                .expect("ack");
            return Some(delivery);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` elapses; returns whether it held.
pub async fn eventually<F, Fut>(timeout: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if condition().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether `queue` exists: a passive declaration fails (and closes its channel) if not.
pub async fn queue_exists(conn: &Connection, queue: &str) -> bool {
    let Ok(channel) = conn.create_channel().await else {
        return false;
    };
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let exists = channel
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
        .is_ok();
    if exists {
        let _ = channel.close(200, "done".into()).await;
    }
    exists
}

/// Waits up to `timeout` for a consumer to declare `queue`.
///
/// # Panics
/// If it does not.
pub async fn wait_for_queue(conn: &Connection, queue: &str, timeout: Duration) {
    assert!(
        eventually(timeout, || async move { queue_exists(conn, queue).await }).await,
        "the consumer declares {queue}"
    );
}

/// A channel of `conn` in publisher-confirm mode.
///
/// # Panics
/// If the broker refuses.
pub async fn confirmed_channel(conn: &Connection) -> Channel {
    let channel = conn.create_channel().await.expect("open a channel");
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirm.select");
    channel
}

/// Publishes `envelope` straight to `queue` through the default exchange (not the shared
/// one), persistent, as a redelivery would arrive, so that no other test's consumer sees
/// it; `channel` must be in confirm mode ([`confirmed_channel`]).
///
/// # Panics
/// If the broker does not confirm the message.
pub async fn publish_to_queue(channel: &Channel, queue: &str, envelope: &Envelope) {
    let payload = serde_json::to_vec(envelope).expect("serialize the envelope");
    publish_raw(channel, queue, &payload).await;
}

/// Publishes any `payload` (say, a malformed one) the way [`publish_to_queue`] does.
///
/// # Panics
/// If the broker does not confirm the message.
pub async fn publish_raw(channel: &Channel, queue: &str, payload: &[u8]) {
    let confirmation = channel
        .basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions::default(),
            payload,
            BasicProperties::default()
                .with_content_type("application/json".into())
                .with_delivery_mode(2),
        )
        .await
        .expect("basic.publish")
        .await
        .expect("publisher confirm");
    assert!(confirmation.is_ack(), "the broker acks the message");
}

/// Publishes each envelope straight to `queue` on a connection of its own, once a
/// consumer has declared the queue (waiting up to `timeout`).
///
/// # Panics
/// If the queue does not appear or a message is not confirmed.
pub async fn publish(queue: &str, envelopes: &[&Envelope], timeout: Duration) {
    let amqp = amqp_connect().await;
    wait_for_queue(&amqp, queue, timeout).await;
    let channel = confirmed_channel(&amqp).await;
    for envelope in envelopes {
        publish_to_queue(&channel, queue, envelope).await;
    }
    let _ = amqp.close(200, "done".into()).await;
}

/// Deletes each queue and its dead-letter queue (best effort), e.g. when a test stops.
pub async fn delete_queues(queues: &[&str]) {
    let amqp = amqp_connect().await;
    if let Ok(channel) = amqp.create_channel().await {
        for queue in queues {
            for name in [queue.to_string(), crate::events::dlq_name(queue)] {
                let _ = channel
                    .queue_delete(name.as_str().into(), QueueDeleteOptions::default())
                    .await;
            }
        }
    }
    let _ = amqp.close(200, "done".into()).await;
}

/// The events in a service's outbox, oldest first, as (type, data); asserts each
/// envelope carries its type and was written by `source`.
///
/// # Panics
/// If the query fails or an envelope is inconsistent.
pub async fn outbox(pool: &PgPool, source: &str) -> Vec<(String, Value)> {
    sqlx::query_as::<_, (String, Value)>(
        "SELECT event_type, envelope FROM kit.outbox ORDER BY created_at, id",
    )
    .fetch_all(pool)
    .await
    .expect("read the outbox")
    .into_iter()
    .map(|(t, envelope)| {
        assert_eq!(envelope["type"], t.as_str());
        assert_eq!(envelope["source"], source);
        (t, envelope["data"].clone())
    })
    .collect()
}

/// How many times a consumer recorded `event` as processed.
///
/// # Panics
/// If the query fails.
pub async fn processed(pool: &PgPool, event: Uuid) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM kit.processed_events WHERE event_id = $1")
        .bind(event)
        .fetch_one(pool)
        .await
        .expect("count processed events")
}

/// Waits up to `timeout` until a consumer recorded `event` (committed with its effect).
///
/// # Panics
/// If it does not.
pub async fn wait_processed(pool: &PgPool, event: Uuid, timeout: Duration) {
    assert!(
        eventually(timeout, || async move { processed(pool, event).await > 0 }).await,
        "event {event} was consumed"
    );
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
    }
}
