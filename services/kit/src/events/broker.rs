//! The public handle on the broker: runs the outbox relay and the consumers over the
//! service's one shared connection.

use std::fmt;
use std::time::Duration;

use sqlx::PgPool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::connection::SharedConnection;
use super::consumer::{self, EventHandler};
use super::relay;
use super::subscription::Subscription;

/// Connection to RabbitMQ shared by the relay and the consumers of one service; reconnects
/// with backoff.
///
/// Cloning is cheap and shares the connection. The connection is opened lazily by the first
/// [`Broker::wait_connected`], [`Broker::run_relay`] or [`Broker::run_consumer`], and
/// closed when the last clone is dropped.
#[derive(Clone)]
pub struct Broker {
    connection: SharedConnection,
}

impl fmt::Debug for Broker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL carries credentials, so it is deliberately left out.
        f.debug_struct("Broker")
            .field("connected", &self.is_connected())
            .finish_non_exhaustive()
    }
}

impl Broker {
    /// A broker handle for `amqp_url` (e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`).
    ///
    /// Does not connect yet and never panics; an invalid URL shows up as failed connection
    /// attempts in the logs and [`Broker::is_connected`] staying `false`.
    pub fn new(amqp_url: impl Into<String>) -> Self {
        Self {
            connection: SharedConnection::new(amqp_url.into()),
        }
    }

    /// Whether a live connection to the broker exists right now (for readiness probes).
    #[must_use]
    pub fn is_connected(&self) -> bool {
        self.connection.is_connected()
    }

    /// Starts connecting if not done yet and waits up to `timeout` for a live connection.
    /// Returns whether one is available.
    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        let never = CancellationToken::new();
        tokio::time::timeout(timeout, self.connection.connection(&never))
            .await
            .is_ok_and(|conn| conn.is_some())
    }

    /// Publishes unsent outbox rows with publisher confirms, marks them sent; runs until
    /// `shutdown` is cancelled.
    ///
    /// Several replicas may run a relay against the same database: rows are claimed with
    /// `FOR UPDATE SKIP LOCKED`. Delivery is at-least-once.
    pub async fn run_relay(&self, pool: PgPool, shutdown: CancellationToken) {
        self.connection.ensure_started();
        relay::run(self.connection.clone(), pool, shutdown)
            .instrument(tracing::info_span!("outbox_relay"))
            .await;
    }

    /// [`Broker::run_relay`] in a task of its own, unsupervised (services run it under
    /// [`crate::supervise::Supervisor`] through [`crate::service::Platform`]).
    pub fn spawn_relay(&self, pool: PgPool, shutdown: CancellationToken) -> JoinHandle<()> {
        let broker = self.clone();
        tokio::spawn(async move { broker.run_relay(pool, shutdown).await })
    }

    /// Declares the queue/DLQ/bindings and consumes with manual acks until `shutdown` is
    /// cancelled; the message being handled when that happens is finished first.
    ///
    /// `consumer` names the consumer in `kit.processed_events`; it must be stable across
    /// restarts and distinct for each handler that must see every event.
    pub async fn run_consumer<H: EventHandler>(
        &self,
        pool: PgPool,
        consumer: &'static str,
        subscription: Subscription,
        handler: H,
        shutdown: CancellationToken,
    ) {
        self.connection.ensure_started();
        let span = tracing::info_span!("consumer", consumer, queue = %subscription.queue);
        consumer::run(
            self.connection.clone(),
            pool,
            consumer,
            subscription,
            handler,
            shutdown,
        )
        .instrument(span)
        .await;
    }

    /// [`Broker::run_consumer`] in a task of its own, unsupervised (services run it under
    /// [`crate::supervise::Supervisor`] through [`crate::service::Platform`]).
    pub fn spawn_consumer<H: EventHandler>(
        &self,
        pool: PgPool,
        consumer: &'static str,
        subscription: Subscription,
        handler: H,
        shutdown: CancellationToken,
    ) -> JoinHandle<()> {
        let broker = self.clone();
        tokio::spawn(async move {
            broker
                .run_consumer(pool, consumer, subscription, handler, shutdown)
                .await;
        })
    }
}
