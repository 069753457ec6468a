//! Domain events: the wire envelope, the transactional outbox and its relay, and idempotent
//! consumers with bounded retries and dead-lettering.
//!
//! Topology (declared idempotently by the relay and by every consumer at start-up):
//! - the durable topic exchange [`EVENTS_EXCHANGE`]; routing key = event type;
//! - the durable direct exchange [`DEAD_LETTER_EXCHANGE`];
//! - per [`Subscription`]: a durable queue dead-lettering to the DLX with routing key = queue
//!   name, bound to the events exchange with each routing key, and a durable `<queue>.dlq`
//!   bound to the DLX with routing key = queue name.
//!
//! Published outbox rows and processed-event records are pruned after their retention by
//! [`retention`].

mod broker;
mod connection;
mod consumer;
mod envelope;
mod metrics;
mod outbox;
mod relay;
pub mod retention;
pub mod schema;
mod subscription;
mod topology;

pub use broker::Broker;
pub use consumer::{DEFAULT_CONCURRENCY, EventHandler, HandlerError};
pub use envelope::Envelope;
pub use metrics::register_metrics;
pub use outbox::Outbox;
pub use petstore_contract::{DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE};
pub use retention::RetentionConfig;
pub use subscription::Subscription;

/// PostgreSQL `NOTIFY` channel on which [`Outbox::enqueue`] wakes the relay.
pub const OUTBOX_CHANNEL: &str = "kit_outbox";

/// AMQP header carrying how many times a message has been delivered to its consumer so far
/// (absent on the first delivery, which counts as attempt 1).
pub const ATTEMPTS_HEADER: &str = "x-petstore-attempts";

/// Default number of attempts a consumer makes before dead-lettering a message.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// Suffix of the dead-letter queue of each subscription queue.
pub const DLQ_SUFFIX: &str = ".dlq";

/// Migrations of the `kit` schema (`kit.outbox`, `kit.processed_events`).
///
/// Run it on a dedicated connection whose `search_path` is `kit`, so that its bookkeeping
/// table does not collide with the service's own migrator in `public`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Errors of the event plumbing visible to callers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The event payload could not be serialized to JSON.
    #[error("cannot serialize event: {0}")]
    Serialize(#[from] serde_json::Error),
    /// The database rejected or failed the statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The broker failed the operation or the connection was lost.
    #[error("broker error: {0}")]
    Broker(#[from] lapin::Error),
    /// The broker negatively acknowledged a published message.
    #[error("broker refused message {0}")]
    Nacked(uuid::Uuid),
    /// The broker connection went away while it was being used.
    #[error("the broker connection was lost")]
    Disconnected,
    /// The broker did not answer in time.
    #[error("broker did not answer within {0:?}")]
    Timeout(std::time::Duration),
}

/// Name of the dead-letter queue of `queue`.
#[must_use]
pub fn dlq_name(queue: &str) -> String {
    format!("{queue}{DLQ_SUFFIX}")
}
