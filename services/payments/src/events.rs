//! Payments' consumer of the order saga's events declared in [`kit::events::schema`]; what
//! payments publishes is written by [`crate::ledger`].

use kit::events::schema::{
    INVENTORY_RESERVED, ORDER_CANCELLED, ORDER_CREATED, ORDER_FAILED, OrderDue, OrderRef,
};
use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use sqlx::PgConnection;

use crate::ledger;

/// The events of the saga queue: `order.created` records what an order owes,
/// `inventory.reserved` charges it, `order.cancelled` refunds it, and `order.failed` is
/// treated like a cancellation (so that the intent of an order inventory rejected is
/// closed instead of pending forever).
pub const CONSUMED: &[&str] = &[
    ORDER_CREATED,
    INVENTORY_RESERVED,
    ORDER_CANCELLED,
    ORDER_FAILED,
];

/// Applies the saga's events to payments.
#[derive(Debug, Clone)]
pub struct SagaHandler {
    outbox: Outbox,
}

impl SagaHandler {
    /// A handler writing its events through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

impl EventHandler for SagaHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            ORDER_CREATED => {
                let order: OrderDue = event.data_as()?;
                if order.total.amount < 0 {
                    return Err(HandlerError::permanent(format!(
                        "order {} has a negative total",
                        order.order_id
                    )));
                }
                ledger::record_intent(
                    tx,
                    &self.outbox,
                    event.id,
                    order.order_id,
                    order.user_id,
                    &order.total,
                )
                .await?;
            }
            INVENTORY_RESERVED => {
                let order: OrderRef = event.data_as()?;
                ledger::reserved(tx, &self.outbox, event.id, order.order_id).await?;
            }
            ORDER_CANCELLED => {
                let order: OrderRef = event.data_as()?;
                ledger::cancel(tx, &self.outbox, event.id, order.order_id, "cancelled").await?;
            }
            ORDER_FAILED => {
                let order: OrderRef = event.data_as()?;
                ledger::cancel(tx, &self.outbox, event.id, order.order_id, "failed").await?;
            }
            other => {
                return Err(HandlerError::permanent(format!(
                    "unexpected event type {other}"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_names_what_payments_consumes() {
        kit::events::schema::assert_consumes("payments", &[CONSUMED]);
    }
}
