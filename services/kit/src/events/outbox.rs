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
        sqlx::query("INSERT INTO kit.outbox (id, event_type, envelope) VALUES ($1, $2, $3)")
            .bind(envelope.id)
            .bind(&envelope.event_type)
            .bind(json)
            .execute(&mut *conn)
            .await?;
        // NOTIFY is transactional: delivered only if the caller commits, so a rolled-back
        // event never wakes the relay.
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(OUTBOX_CHANNEL)
            .execute(&mut *conn)
            .await?;
        Ok(envelope.id)
    }
}
