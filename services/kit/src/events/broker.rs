//! The shared, self-healing connection to RabbitMQ.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lapin::{Connection, ConnectionProperties};
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::{EventHandler, Subscription, consumer, relay};

/// First delay between reconnection attempts; doubled up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(100);
/// Upper bound of the reconnection delay, which is also the worst-case extra latency after
/// the broker comes back.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// A connection attempt that neither succeeds nor fails (black-holed traffic) is abandoned
/// after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the supervisor checks that the current connection is still alive.
const HEALTH_POLL: Duration = Duration::from_millis(100);

type Current = watch::Sender<Option<Arc<Connection>>>;

/// Connection to RabbitMQ shared by the relay and the consumers of one service; reconnects
/// with backoff.
///
/// Cloning is cheap and shares the connection. The connection is opened lazily by the first
/// [`Broker::wait_connected`], [`Broker::run_relay`] or [`Broker::run_consumer`], and
/// closed when the last clone is dropped.
#[derive(Clone)]
pub struct Broker {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    current: Arc<Current>,
    started: AtomicBool,
    stop: CancellationToken,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.cancel();
    }
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
            inner: Arc::new(Inner {
                url: amqp_url.into(),
                current: Arc::new(watch::Sender::new(None)),
                started: AtomicBool::new(false),
                stop: CancellationToken::new(),
            }),
        }
    }

    /// Whether a live connection to the broker exists right now (for readiness probes).
    #[must_use]
    pub fn is_connected(&self) -> bool {
        self.inner
            .current
            .borrow()
            .as_ref()
            .is_some_and(|conn| conn.status().connected())
    }

    /// Starts connecting if not done yet and waits up to `timeout` for a live connection.
    /// Returns whether one is available.
    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        let never = CancellationToken::new();
        tokio::time::timeout(timeout, self.connection(&never))
            .await
            .is_ok_and(|conn| conn.is_some())
    }

    /// Publishes unsent outbox rows with publisher confirms, marks them sent; runs until
    /// `shutdown` is cancelled.
    ///
    /// Several replicas may run a relay against the same database: rows are claimed with
    /// `FOR UPDATE SKIP LOCKED`. Delivery is at-least-once.
    pub async fn run_relay(&self, pool: PgPool, shutdown: CancellationToken) {
        self.ensure_started();
        relay::run(self.clone(), pool, shutdown)
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
        self.ensure_started();
        let span = tracing::info_span!("consumer", consumer, queue = %subscription.queue);
        consumer::run(
            self.clone(),
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

    /// Waits for a live connection; `None` if `shutdown` fires first.
    pub(crate) async fn connection(&self, shutdown: &CancellationToken) -> Option<Arc<Connection>> {
        self.ensure_started();
        let mut rx = self.inner.current.subscribe();
        loop {
            let live = rx
                .borrow_and_update()
                .as_ref()
                .filter(|conn| conn.status().connected())
                .cloned();
            if live.is_some() {
                return live;
            }
            tokio::select! {
                () = shutdown.cancelled() => return None,
                changed = rx.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
            }
        }
    }

    fn ensure_started(&self) {
        if self.inner.started.swap(true, Ordering::AcqRel) {
            return;
        }
        tokio::spawn(
            supervise(
                self.inner.url.clone(),
                Arc::clone(&self.inner.current),
                self.inner.stop.clone(),
            )
            .instrument(tracing::info_span!("broker_connection")),
        );
    }
}

/// Keeps one connection open: connects with exponential backoff, publishes the connection to
/// the waiters, and starts over when it dies. Exits when the last [`Broker`] is dropped.
async fn supervise(url: String, current: Arc<Current>, stop: CancellationToken) {
    let mut delay = MIN_BACKOFF;
    loop {
        let attempt = tokio::time::timeout(
            CONNECT_TIMEOUT,
            Connection::connect(&url, ConnectionProperties::default()),
        );
        let outcome = tokio::select! {
            () = stop.cancelled() => return,
            outcome = attempt => outcome,
        };
        match outcome {
            Ok(Ok(conn)) => {
                tracing::info!("connected to the message broker");
                delay = MIN_BACKOFF;
                let conn = Arc::new(conn);
                current.send_replace(Some(Arc::clone(&conn)));
                loop {
                    tokio::select! {
                        () = stop.cancelled() => {
                            current.send_replace(None);
                            let _ = conn.close(200, "shutdown".into()).await;
                            return;
                        }
                        () = tokio::time::sleep(HEALTH_POLL) => {}
                    }
                    if !conn.status().connected() {
                        break;
                    }
                }
                current.send_replace(None);
                tracing::warn!("lost the connection to the message broker; reconnecting");
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, retry_in = ?delay, "cannot connect to the message broker");
            }
            Err(_) => {
                tracing::warn!(retry_in = ?delay, "connecting to the message broker timed out");
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(MAX_BACKOFF);
    }
}

/// Exponential backoff for the relay and consumers after a failed round.
#[derive(Debug)]
pub(crate) struct Backoff {
    next: Duration,
}

impl Backoff {
    pub(crate) fn new() -> Self {
        Self { next: MIN_BACKOFF }
    }

    pub(crate) fn reset(&mut self) {
        self.next = MIN_BACKOFF;
    }

    /// Sleeps for the current delay (doubling it for next time); returns `false` if
    /// `shutdown` fired meanwhile.
    pub(crate) async fn wait(&mut self, shutdown: &CancellationToken) -> bool {
        let delay = self.next;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        tokio::select! {
            () = shutdown.cancelled() => false,
            () = tokio::time::sleep(delay) => true,
        }
    }
}
