//! Writing events into the transactional outbox.

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
}
