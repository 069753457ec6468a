//! The one self-healing connection to RabbitMQ behind a [`super::Broker`], which the relay
//! and the consumers wait on, and the backoff they share after a failed round.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lapin::{Connection, ConnectionProperties};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

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

/// The shared connection: opened lazily by the first [`SharedConnection::connection`],
/// reopened with backoff whenever it dies, closed when the last clone is dropped.
#[derive(Clone)]
pub(crate) struct SharedConnection {
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

impl SharedConnection {
    /// A connection to `url`, not opened yet.
    pub(crate) fn new(url: String) -> Self {
        Self {
            inner: Arc::new(Inner {
                url,
                current: Arc::new(watch::Sender::new(None)),
                started: AtomicBool::new(false),
                stop: CancellationToken::new(),
            }),
        }
    }

    /// Whether a live connection exists right now.
    pub(crate) fn is_connected(&self) -> bool {
        self.inner
            .current
            .borrow()
            .as_ref()
            .is_some_and(|conn| conn.status().connected())
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

    pub(crate) fn ensure_started(&self) {
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
