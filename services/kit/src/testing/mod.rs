//! Test support for the kit's and the services' own tests, against the real PostgreSQL and
//! RabbitMQ: a controllable TCP proxy, throw-away databases and inspection queues.
//!
//! These helpers panic on setup failures: in a test that is the most useful report.

mod app;
mod proxy;

use std::time::Duration;

use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicGetOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection as _, PgConnection, PgPool};
use uuid::Uuid;

pub use app::{TestKeys, TestServer};
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
            .max_connections(8)
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
