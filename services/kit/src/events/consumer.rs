//! Idempotent consumers with bounded retries and dead-lettering.

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions,
    BasicPublishOptions, BasicQosOptions, ConfirmSelectOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection};
use sqlx::PgPool;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

use super::connection::{Backoff, SharedConnection};
use super::subscription::Subscription;
use super::{ATTEMPTS_HEADER, Envelope, EventError, metrics, topology};

/// Unacknowledged deliveries the broker may push ahead of the ones being handled: enough
/// to keep every lane of a concurrent subscription busy while acks travel back.
const PREFETCH: u16 = 64;
/// Deliveries a concurrent subscription handles at once unless told otherwise: each holds a
/// database connection for its transaction, so this stays well under a pool's size.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Delay before the first retry of a transiently failed event; doubled per attempt.
const RETRY_BASE_DELAY: Duration = Duration::from_millis(100);
/// Upper bound of the delay before a retry.
const RETRY_MAX_DELAY: Duration = Duration::from_secs(2);
/// Delay before handing a message back to the broker when the database is unavailable.
const REQUEUE_DELAY: Duration = Duration::from_secs(1);

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The effect of one event, run inside the transaction that also records the event id.
///
/// The effect is committed together with the record of the event, so a redelivered event has
/// no second effect. Do all database work through `tx`; side effects outside the database
/// may happen more than once.
pub trait EventHandler: Send + Sync + 'static {
    /// Applies `event`. Return [`HandlerError::Transient`] to have it retried and
    /// [`HandlerError::Permanent`] to send it straight to the dead-letter queue.
    fn handle(
        &self,
        event: &Envelope,
        tx: &mut sqlx::PgConnection,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

/// A shared handler is a handler: a supervised consumer that is started again keeps using
/// the same one.
impl<H: EventHandler> EventHandler for Arc<H> {
    fn handle(
        &self,
        event: &Envelope,
        tx: &mut sqlx::PgConnection,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        H::handle(self, event, tx)
    }
}

/// Why a handler could not apply an event.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Retrying cannot help (malformed data, unknown entity, ...): the event goes straight to
    /// the dead-letter queue.
    #[error("permanent failure: {0}")]
    Permanent(#[source] BoxError),
    /// Retrying may help (database unavailable, conflict, ...): the event is retried up to
    /// the subscription's `max_attempts`, then dead-lettered.
    #[error("transient failure: {0}")]
    Transient(#[source] BoxError),
}

impl HandlerError {
    /// A [`HandlerError::Permanent`] from any error or message.
    pub fn permanent(error: impl Into<BoxError>) -> Self {
        Self::Permanent(error.into())
    }

    /// A [`HandlerError::Transient`] from any error or message.
    pub fn transient(error: impl Into<BoxError>) -> Self {
        Self::Transient(error.into())
    }
}

impl From<sqlx::Error> for HandlerError {
    fn from(error: sqlx::Error) -> Self {
        Self::Transient(Box::new(error))
    }
}

/// Payloads that do not match the expected type will not match on a retry either.
impl From<serde_json::Error> for HandlerError {
    fn from(error: serde_json::Error) -> Self {
        Self::Permanent(Box::new(error))
    }
}

pub(crate) async fn run<H: EventHandler>(
    broker: SharedConnection,
    pool: PgPool,
    consumer: &'static str,
    subscription: Subscription,
    handler: H,
    shutdown: CancellationToken,
) {
    let ctx = Arc::new(Context {
        pool,
        consumer,
        subscription,
        handler,
    });
    let mut backoff = Backoff::new();
    loop {
        let Some(conn) = broker.connection(&shutdown).await else {
            break;
        };
        match ctx.session(&conn, &shutdown, &mut backoff).await {
            Ok(()) => break,
            Err(error) => {
                tracing::warn!(%error, queue = %ctx.subscription.queue, "consumer interrupted; resuming");
                if !backoff.wait(&shutdown).await {
                    break;
                }
            }
        }
    }
    tracing::info!(queue = %ctx.subscription.queue, "consumer stopped");
}

struct Context<H> {
    pool: PgPool,
    consumer: &'static str,
    subscription: Subscription,
    handler: H,
}

enum Outcome {
    Applied,
    Duplicate,
}

enum Failure {
    /// The bookkeeping itself failed before the handler ran; not the event's fault, so it
    /// does not count as an attempt.
    Unavailable(sqlx::Error),
    Handler(HandlerError),
}

impl<H: EventHandler> Context<H> {
    /// Consumes on one channel until shutdown (`Ok`) or the first broker failure (`Err`).
    ///
    /// Deliveries are dispatched to `concurrency` lanes, each applying its deliveries one
    /// after the other; a delivery's lane is chosen by its ordering key, so the events of
    /// one key keep their queue order. Acks are per delivery, so lanes settle independently.
    async fn session(
        self: &Arc<Self>,
        conn: &Connection,
        shutdown: &CancellationToken,
        backoff: &mut Backoff,
    ) -> Result<(), EventError> {
        let channel = conn.create_channel().await?;
        channel
            .basic_qos(PREFETCH, BasicQosOptions::default())
            .await?;
        topology::declare_subscription(&channel, &self.subscription).await?;
        // Retry copies go through a confirmed channel so that the original is acked only once
        // its copy is safely queued.
        let retries = conn.create_channel().await?;
        retries
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        let tag = format!("{}-{}", self.consumer, Uuid::new_v4());
        let mut deliveries = channel
            .basic_consume(
                self.subscription.queue.as_str().into(),
                tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        tracing::info!(queue = %self.subscription.queue, "consuming");
        backoff.reset();

        let width = self.subscription.concurrency.max(1);
        let stop = CancellationToken::new();
        let mut lanes = JoinSet::new();
        let mut senders = Vec::with_capacity(width);
        for _ in 0..width {
            // Never full: the broker has at most PREFETCH deliveries unacked on this channel.
            let (sender, receiver) = mpsc::channel(usize::from(PREFETCH));
            senders.push(sender);
            let (ctx, retries, stop) = (Arc::clone(self), retries.clone(), stop.clone());
            lanes.spawn(async move { ctx.lane(receiver, &retries, &stop).await });
        }
        let result = loop {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break Ok(()),
                // A lane only ends early on a broker failure (or a panic).
                Some(ended) = lanes.join_next() => {
                    break match ended {
                        Ok(Err(error)) => Err(error),
                        _ => Err(EventError::Disconnected),
                    };
                }
                next = deliveries.next() => match next {
                    None => break Err(EventError::Disconnected),
                    Some(Err(error)) => break Err(error.into()),
                    Some(Ok(delivery)) => {
                        let parsed = serde_json::from_slice::<Envelope>(&delivery.data);
                        let lane = lane_of(&self.subscription, parsed.as_ref().ok(), width);
                        if senders[lane].send((delivery, parsed)).await.is_err() {
                            break Err(EventError::Disconnected);
                        }
                    }
                },
            }
        };
        // Each lane finishes the delivery it is applying, so no effect is cut in half;
        // deliveries still waiting in a lane stay unacked and return to the queue when the
        // channel closes.
        stop.cancel();
        drop(senders);
        while lanes.join_next().await.is_some() {}
        let _ = channel
            .basic_cancel(tag.as_str().into(), BasicCancelOptions::default())
            .await;
        let _ = channel.close(200, "consumer stopped".into()).await;
        let _ = retries.close(200, "consumer stopped".into()).await;
        result
    }

    /// Applies a lane's deliveries one after the other until `stop` (between deliveries) or
    /// the first broker failure.
    async fn lane(
        &self,
        mut receiver: mpsc::Receiver<(Delivery, Result<Envelope, serde_json::Error>)>,
        retries: &Channel,
        stop: &CancellationToken,
    ) -> Result<(), EventError> {
        loop {
            let next = tokio::select! {
                biased;
                () = stop.cancelled() => return Ok(()),
                next = receiver.recv() => next,
            };
            let Some((delivery, parsed)) = next else {
                return Ok(());
            };
            self.process(retries, delivery, parsed).await?;
        }
    }

    async fn process(
        &self,
        retries: &Channel,
        delivery: Delivery,
        parsed: Result<Envelope, serde_json::Error>,
    ) -> Result<(), EventError> {
        let queue = self.subscription.queue.as_str();
        let envelope = match parsed {
            Ok(envelope) => envelope,
            Err(error) => {
                tracing::warn!(%error, queue, "unparseable message; dead-lettering it");
                return dead_letter(&delivery).await;
            }
        };
        let attempt = attempts(&delivery.properties);
        let span = tracing::info_span!(
            "event",
            queue,
            event_id = %envelope.id,
            event_type = %envelope.event_type,
            attempt
        );
        self.settle(retries, &delivery, &envelope, attempt)
            .instrument(span)
            .await
    }

    /// Applies the event and acks, retries or dead-letters the delivery accordingly.
    async fn settle(
        &self,
        retries: &Channel,
        delivery: &Delivery,
        envelope: &Envelope,
        attempt: u32,
    ) -> Result<(), EventError> {
        match self.apply(envelope).await {
            Ok(Outcome::Applied) => {
                delivery.acker.ack(BasicAckOptions::default()).await?;
                metrics::consumed(metrics::RESULT_OK);
            }
            Ok(Outcome::Duplicate) => {
                tracing::debug!("event already processed; skipping");
                delivery.acker.ack(BasicAckOptions::default()).await?;
                metrics::consumed(metrics::RESULT_DUPLICATE);
            }
            Err(Failure::Unavailable(error)) => {
                tracing::warn!(%error, "database unavailable; returning the event to the queue");
                tokio::time::sleep(REQUEUE_DELAY).await;
                delivery
                    .acker
                    .nack(BasicNackOptions {
                        requeue: true,
                        ..BasicNackOptions::default()
                    })
                    .await?;
            }
            Err(Failure::Handler(error @ HandlerError::Permanent(_))) => {
                tracing::warn!(%error, "event failed permanently; dead-lettering it");
                dead_letter(delivery).await?;
            }
            Err(Failure::Handler(error)) if attempt < self.subscription.max_attempts => {
                tracing::warn!(%error, "event failed; retrying");
                tokio::time::sleep(retry_delay(attempt)).await;
                self.retry(retries, delivery, envelope, attempt + 1).await?;
                delivery.acker.ack(BasicAckOptions::default()).await?;
                metrics::consumed(metrics::RESULT_RETRIED);
            }
            Err(Failure::Handler(error)) => {
                tracing::error!(%error, "event failed on its last attempt; dead-lettering it");
                dead_letter(delivery).await?;
            }
        }
        Ok(())
    }

    /// Records the event and runs the handler in one transaction.
    async fn apply(&self, envelope: &Envelope) -> Result<Outcome, Failure> {
        let mut tx = self.pool.begin().await.map_err(Failure::Unavailable)?;
        let recorded = sqlx::query(
            "INSERT INTO kit.processed_events (consumer, event_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(self.consumer)
        .bind(envelope.id)
        .execute(&mut *tx)
        .await
        .map_err(Failure::Unavailable)?
        .rows_affected();
        if recorded == 0 {
            tx.commit().await.map_err(Failure::Unavailable)?;
            return Ok(Outcome::Duplicate);
        }
        // A panicking handler is a failed attempt like any other (retried, then
        // dead-lettered), not a consumer that dies on the same message forever.
        let handled = AssertUnwindSafe(self.handler.handle(envelope, &mut tx))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                let message = crate::supervise::panic_message(panic.as_ref());
                Err(HandlerError::transient(format!(
                    "handler panicked: {message}"
                )))
            });
        match handled {
            Ok(()) => {
                tx.commit()
                    .await
                    .map_err(|error| Failure::Handler(error.into()))?;
                Ok(Outcome::Applied)
            }
            Err(error) => {
                let _ = tx.rollback().await;
                Err(Failure::Handler(error))
            }
        }
    }

    /// Queues a copy of the delivery for another attempt, directly on the subscription's
    /// queue so that other subscribers of the event do not see it again.
    async fn retry(
        &self,
        retries: &Channel,
        delivery: &Delivery,
        envelope: &Envelope,
        attempt: u32,
    ) -> Result<(), EventError> {
        let mut headers = delivery.properties.headers().clone().unwrap_or_default();
        headers.insert(
            ATTEMPTS_HEADER.into(),
            AMQPValue::LongInt(i32::try_from(attempt).unwrap_or(i32::MAX)),
        );
        let properties: BasicProperties = delivery.properties.clone().with_headers(headers);
        let confirmation = retries
            .basic_publish(
                "".into(),
                self.subscription.queue.as_str().into(),
                BasicPublishOptions::default(),
                &delivery.data,
                properties,
            )
            .await?
            .await?;
        if confirmation.is_ack() {
            Ok(())
        } else {
            Err(EventError::Nacked(envelope.id))
        }
    }
}

/// The lane of an event: by the hash of its ordering key, so that one key's events stay
/// in order; events without the key (or unparseable ones) by their id, or lane 0.
fn lane_of(subscription: &Subscription, envelope: Option<&Envelope>, width: usize) -> usize {
    if width <= 1 {
        return 0;
    }
    let Some(envelope) = envelope else { return 0 };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    match subscription
        .ordered_by
        .as_deref()
        .and_then(|field| envelope.data.get(field))
    {
        Some(serde_json::Value::String(key)) => key.hash(&mut hasher),
        Some(other) => other.to_string().hash(&mut hasher),
        None => envelope.id.hash(&mut hasher),
    }
    usize::try_from(hasher.finish() % width as u64).unwrap_or(0)
}

async fn dead_letter(delivery: &Delivery) -> Result<(), EventError> {
    // requeue=false makes the broker route the message through the queue's dead-letter
    // exchange to `<queue>.dlq`.
    delivery
        .acker
        .nack(BasicNackOptions {
            requeue: false,
            ..BasicNackOptions::default()
        })
        .await?;
    metrics::consumed(metrics::RESULT_DEAD_LETTERED);
    Ok(())
}

/// The attempt number carried by a delivery; the first delivery has no header and is 1.
fn attempts(properties: &BasicProperties) -> u32 {
    properties
        .headers()
        .as_ref()
        .and_then(|headers| headers.inner().get(ATTEMPTS_HEADER))
        .and_then(as_u32)
        .unwrap_or(1)
        .max(1)
}

fn as_u32(value: &AMQPValue) -> Option<u32> {
    match value {
        AMQPValue::ShortShortInt(n) => u32::try_from(*n).ok(),
        AMQPValue::ShortShortUInt(n) => Some(u32::from(*n)),
        AMQPValue::ShortInt(n) => u32::try_from(*n).ok(),
        AMQPValue::ShortUInt(n) => Some(u32::from(*n)),
        AMQPValue::LongInt(n) => u32::try_from(*n).ok(),
        AMQPValue::LongUInt(n) => Some(*n),
        AMQPValue::LongLongInt(n) => u32::try_from(*n).ok(),
        _ => None,
    }
}

fn retry_delay(attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    RETRY_BASE_DELAY.saturating_mul(factor).min(RETRY_MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_default_to_one_and_read_integer_headers() {
        assert_eq!(attempts(&BasicProperties::default()), 1);
        let mut headers = FieldTable::default();
        headers.insert(ATTEMPTS_HEADER.into(), AMQPValue::LongInt(3));
        assert_eq!(
            attempts(&BasicProperties::default().with_headers(headers)),
            3
        );
    }

    #[test]
    fn retry_delay_grows_and_is_bounded() {
        assert_eq!(retry_delay(1), RETRY_BASE_DELAY);
        assert_eq!(retry_delay(2), RETRY_BASE_DELAY * 2);
        assert_eq!(retry_delay(40), RETRY_MAX_DELAY);
    }

    #[test]
    fn one_key_always_takes_one_lane() {
        let sub = Subscription::new("q", &["a"]).concurrent_by("orderId", 8);
        let event = |order: &str| {
            Envelope::new("t", "a", &serde_json::json!({ "orderId": order })).unwrap()
        };
        let first = lane_of(&sub, Some(&event("o-1")), 8);
        for _ in 0..20 {
            assert_eq!(lane_of(&sub, Some(&event("o-1")), 8), first);
        }
        let lanes: std::collections::HashSet<usize> = (0..64)
            .map(|i| lane_of(&sub, Some(&event(&format!("o-{i}"))), 8))
            .collect();
        assert!(lanes.len() > 1, "different keys spread over lanes");
        assert!(lanes.iter().all(|lane| *lane < 8));
        assert_eq!(lane_of(&sub, None, 8), 0);
        assert_eq!(
            lane_of(&Subscription::new("q", &["a"]), Some(&event("x")), 1),
            0
        );
    }
}
