//! The outbox relay: publishes committed outbox rows with publisher confirms.

use std::sync::Arc;
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Connection, PublisherConfirm};
use sqlx::PgPool;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::connection::{Backoff, SharedConnection};
use super::{EVENTS_EXCHANGE, EventError, OUTBOX_CHANNEL, metrics, topology};

/// Rows claimed per round; a full batch means more may be waiting, so the relay goes again
/// without sleeping.
const BATCH_SIZE: i64 = 100;
/// Fallback wake-up when no notification arrives (lost NOTIFY, listener reconnecting, rows
/// left behind by a failed round).
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// A confirm that does not arrive within this long is treated as a failure; the rows stay
/// unsent and are published again.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(10);
/// Batches published and awaiting their confirms at once. Each holds a pooled connection
/// (its transaction keeps the rows locked), so this stays small next to the pool.
const MAX_IN_FLIGHT: usize = 3;
/// How often the pending-rows gauge is recomputed.
const GAUGE_INTERVAL: Duration = Duration::from_secs(1);

pub(crate) async fn run(broker: SharedConnection, pool: PgPool, shutdown: CancellationToken) {
    let wake = Arc::new(Notify::new());
    // In a set, so that the listener is aborted should this run end by panicking.
    let mut listener = JoinSet::new();
    listener.spawn(listen(pool.clone(), Arc::clone(&wake), shutdown.clone()));
    let mut backoff = Backoff::new();
    loop {
        let Some(conn) = broker.connection(&shutdown).await else {
            break;
        };
        match session(&conn, &pool, &wake, &shutdown, &mut backoff).await {
            Ok(()) => break,
            Err(error) => {
                tracing::warn!(%error, "outbox relay interrupted; events stay in the outbox");
                if !backoff.wait(&shutdown).await {
                    break;
                }
            }
        }
    }
    while listener.join_next().await.is_some() {}
    tracing::info!("outbox relay stopped");
}

/// Publishes on one channel until shutdown (`Ok`) or the first failure (`Err`).
///
/// Pipelined: a batch is claimed and published, then its confirms are awaited (and the rows
/// marked sent) in the background while the next batch is claimed and published, up to
/// [`MAX_IN_FLIGHT`] batches. Each in-flight batch keeps its rows locked in its own
/// transaction, so the next claim skips them and no row is published twice by one relay;
/// a failure of any batch rolls its rows back to unsent and restarts the session.
async fn session(
    conn: &Connection,
    pool: &PgPool,
    wake: &Notify,
    shutdown: &CancellationToken,
    backoff: &mut Backoff,
) -> Result<(), EventError> {
    let channel = conn.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    topology::declare_exchanges(&channel).await?;
    let mut in_flight: JoinSet<Result<(), EventError>> = JoinSet::new();
    let mut gauge = PendingGauge::default();
    let result = loop {
        if shutdown.is_cancelled() {
            break Ok(());
        }
        if let Err(error) = reap(&mut in_flight) {
            break Err(error);
        }
        if in_flight.len() >= MAX_IN_FLIGHT {
            match in_flight.join_next().await {
                Some(Ok(Err(error))) => break Err(error),
                Some(Err(_)) => break Err(EventError::Disconnected),
                _ => continue,
            }
        }
        let batch = match publish_batch(&channel, pool).await {
            Ok(batch) => batch,
            Err(error) => break Err(error),
        };
        backoff.reset();
        let full = batch.as_ref().is_some_and(|b| b.claimed == BATCH_SIZE);
        if let Some(batch) = batch {
            in_flight.spawn(batch.settle());
        }
        gauge.refresh(pool).await;
        if full {
            continue;
        }
        tokio::select! {
            () = shutdown.cancelled() => {}
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    };
    // Confirms of what was published are still worth having: rows whose confirm arrives are
    // marked sent instead of being published again.
    while let Some(done) = in_flight.join_next().await {
        if let Ok(Err(error)) = done {
            tracing::debug!(%error, "an in-flight outbox batch failed; its rows stay unsent");
        }
    }
    if result.is_ok() {
        let _ = channel.close(200, "shutdown".into()).await;
    }
    result
}

/// Collects the batches that finished, returning the first failure.
fn reap(in_flight: &mut JoinSet<Result<(), EventError>>) -> Result<(), EventError> {
    while let Some(done) = in_flight.try_join_next() {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(error),
            Err(_) => return Err(EventError::Disconnected),
        }
    }
    Ok(())
}

/// A published batch whose rows are still locked by `tx`, waiting for its confirms.
struct Batch {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    claimed: i64,
    pending: Vec<(Uuid, PublisherConfirm)>,
    /// A failure met while publishing: the rows published before it are still confirmed
    /// and marked, the rest stay unsent.
    failure: Option<EventError>,
}

impl Batch {
    /// Awaits the confirms, marks the confirmed rows as published and commits.
    async fn settle(self) -> Result<(), EventError> {
        let Self {
            mut tx,
            pending,
            mut failure,
            ..
        } = self;
        let mut confirmed = Vec::with_capacity(pending.len());
        for (id, confirm) in pending {
            if failure.is_some() {
                break;
            }
            match tokio::time::timeout(CONFIRM_TIMEOUT, confirm).await {
                Ok(Ok(confirmation)) if confirmation.is_ack() => confirmed.push(id),
                Ok(Ok(_)) => failure = Some(EventError::Nacked(id)),
                Ok(Err(error)) => failure = Some(error.into()),
                Err(_) => failure = Some(EventError::Timeout(CONFIRM_TIMEOUT)),
            }
        }
        if !confirmed.is_empty() {
            sqlx::query("UPDATE kit.outbox SET published_at = now() WHERE id = ANY($1)")
                .bind(&confirmed)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            metrics::PUBLISHED.inc_by(confirmed.len() as u64);
            tracing::debug!(count = confirmed.len(), "published outbox events");
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// Claims up to [`BATCH_SIZE`] unsent rows in a transaction that keeps them locked (so
/// concurrent relays and this relay's next claim skip them) and publishes them; `None`
/// when nothing is waiting.
async fn publish_batch(channel: &Channel, pool: &PgPool) -> Result<Option<Batch>, EventError> {
    let mut tx = pool.begin().await?;
    let rows: Vec<(Uuid, String, serde_json::Value)> = sqlx::query_as(
        "SELECT id, event_type, envelope FROM kit.outbox \
         WHERE published_at IS NULL AND (not_before IS NULL OR not_before <= now()) \
         ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(BATCH_SIZE)
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let claimed = i64::try_from(rows.len()).unwrap_or(BATCH_SIZE);

    // Publish the whole batch first and collect the confirms afterwards: one round trip of
    // latency for the batch instead of one per event.
    let mut pending = Vec::with_capacity(rows.len());
    let mut failure = None;
    for (id, event_type, envelope) in &rows {
        let payload = serde_json::to_vec(envelope)?;
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            .with_delivery_mode(2)
            .with_message_id(id.to_string().into())
            .with_type(event_type.as_str().into());
        match channel
            .basic_publish(
                EVENTS_EXCHANGE.into(),
                event_type.as_str().into(),
                BasicPublishOptions::default(),
                &payload,
                properties,
            )
            .await
        {
            Ok(confirm) => pending.push((*id, confirm)),
            Err(error) => {
                failure = Some(EventError::from(error));
                break;
            }
        }
    }
    Ok(Some(Batch {
        tx,
        claimed,
        pending,
        failure,
    }))
}

/// The `petstore_outbox_pending` gauge, refreshed at most once per [`GAUGE_INTERVAL`]: a
/// count per published batch would cost a query per round under load.
#[derive(Default)]
struct PendingGauge {
    last: Option<tokio::time::Instant>,
}

impl PendingGauge {
    async fn refresh(&mut self, pool: &PgPool) {
        if self
            .last
            .is_some_and(|last| last.elapsed() < GAUGE_INTERVAL)
        {
            return;
        }
        self.last = Some(tokio::time::Instant::now());
        refresh_pending(pool).await;
    }
}

async fn refresh_pending(pool: &PgPool) {
    let pending: Result<i64, _> =
        sqlx::query_scalar("SELECT count(*) FROM kit.outbox WHERE published_at IS NULL")
            .fetch_one(pool)
            .await;
    if let Ok(pending) = pending {
        metrics::OUTBOX_PENDING.set(pending);
    }
}

/// Turns `NOTIFY kit_outbox` into wake-ups of the relay, on a connection of its own
/// ([`crate::notify::listen`]); notifications that may have been missed (while
/// disconnected) have the relay look anyway.
async fn listen(pool: PgPool, wake: Arc<Notify>, shutdown: CancellationToken) {
    crate::notify::listen(
        &pool,
        OUTBOX_CHANNEL,
        &shutdown,
        |_| wake.notify_one(),
        || wake.notify_one(),
    )
    .await;
}
