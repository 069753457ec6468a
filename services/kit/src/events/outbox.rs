//! Writing events into the transactional outbox.

use std::time::Duration;

use serde::Serialize;
use uuid::Uuid;

use super::{Envelope, EventError, OUTBOX_CHANNEL};

/// Writes events into the transactional outbox (table `kit.outbox`) in the caller's
/// transaction.
#[derive(Clone, Debug)]
pub struct Outbox {
    source: &'static str,
}

impl Outbox {
    /// An outbox for events emitted by the service named `source`.
    #[must_use]
    pub fn new(source: &'static str) -> Self {
        Self { source }
    }

    /// Inserts the event in the caller's open transaction and notifies the relay
    /// (`pg_notify`) on commit. Returns the event id.
    ///
    /// Call it with the transaction that performs the state change, so that the change and
    /// its event are committed or rolled back together.
    ///
    /// # Errors
    /// [`EventError::Serialize`] if `data` is not representable as JSON,
    /// [`EventError::Database`] if the insert fails.
    pub async fn enqueue<T: Serialize + Sync>(
        &self,
        conn: &mut sqlx::PgConnection,
        event_type: &str,
        data: &T,
    ) -> Result<Uuid, EventError> {
        let envelope = Envelope::new(self.source, event_type, data)?;
        let json = serde_json::to_value(&envelope)?;
        // One round trip: the NOTIFY rides along with the insert. NOTIFY is transactional:
        // delivered only if the caller commits, so a rolled-back event never wakes the relay.
        // (A data-modifying CTE runs whether or not the outer query reads it.)
        sqlx::query(
            "WITH inserted AS (\
                INSERT INTO kit.outbox (id, event_type, envelope) VALUES ($1, $2, $3)\
             ) SELECT pg_notify($4, '')",
        )
        .bind(envelope.id)
        .bind(&envelope.event_type)
        .bind(json)
        .bind(OUTBOX_CHANNEL)
        .execute(&mut *conn)
        .await?;
        Ok(envelope.id)
    }

    /// Inserts a fallback: an event the relay publishes only once `delay` has passed after
    /// the caller's commit, unless it is [withdrawn](Self::withdraw) before. For work that
    /// is normally done synchronously right after the commit (checkout handing the order
    /// to the orders service), so that the event, with its publish, delivery and consumer
    /// transaction, is paid for only when that call did not happen. Returns the event id.
    ///
    /// `delay` must exceed the longest the synchronous call can take; if the call succeeds
    /// later than that, the consumer sees the work already done (it is idempotent anyway).
    ///
    /// # Errors
    /// As [`Self::enqueue`].
    pub async fn enqueue_deferred<T: Serialize + Sync>(
        &self,
        conn: &mut sqlx::PgConnection,
        event_type: &str,
        data: &T,
        delay: Duration,
    ) -> Result<Uuid, EventError> {
        let envelope = Envelope::new(self.source, event_type, data)?;
        let json = serde_json::to_value(&envelope)?;
        // No NOTIFY: there is nothing to publish yet; the relay's periodic look finds the
        // row once it is due. `now()` is the transaction's start, so the delay is measured
        // from a moment before the commit, never after it.
        sqlx::query(
            "INSERT INTO kit.outbox (id, event_type, envelope, not_before) \
             VALUES ($1, $2, $3, now() + $4 * interval '1 microsecond')",
        )
        .bind(envelope.id)
        .bind(&envelope.event_type)
        .bind(json)
        .bind(i64::try_from(delay.as_micros()).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
        Ok(envelope.id)
    }

    /// Withdraws a deferred event that was not published yet; `true` if it is gone. After
    /// `false` the event was (or is being) published, and its consumer will apply it.
    ///
    /// # Errors
    /// [`EventError::Database`] if the delete fails; the event is then published when due.
    pub async fn withdraw(
        &self,
        db: impl sqlx::PgExecutor<'_>,
        id: Uuid,
    ) -> Result<bool, EventError> {
        let deleted = sqlx::query("DELETE FROM kit.outbox WHERE id = $1 AND published_at IS NULL")
            .bind(id)
            .execute(db)
            .await?
            .rows_affected();
        Ok(deleted > 0)
    }
}
