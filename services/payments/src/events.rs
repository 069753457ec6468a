//! Events payments consumes (the order saga) and publishes (through the outbox).

use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Money;
use crate::ledger;

/// An order was created (consumed: its amount is recorded).
pub const ORDER_CREATED: &str = "order.created";
/// Inventory holds an order's stock (consumed: the order is charged).
pub const INVENTORY_RESERVED: &str = "inventory.reserved";
/// An order was cancelled (consumed: a completed charge is refunded).
pub const ORDER_CANCELLED: &str = "order.cancelled";
/// An order failed (consumed: treated like a cancellation, so that the intent of an order
/// inventory rejected is closed instead of pending forever).
pub const ORDER_FAILED: &str = "order.failed";
/// A charge went through (published).
pub const PAYMENT_COMPLETED: &str = "payment.completed";
/// A charge was declined (published).
pub const PAYMENT_FAILED: &str = "payment.failed";
/// A charge was refunded (published).
pub const PAYMENT_REFUNDED: &str = "payment.refunded";
/// The events of the saga queue.
pub const CONSUMED: &[&str] = &[
    ORDER_CREATED,
    INVENTORY_RESERVED,
    ORDER_CANCELLED,
    ORDER_FAILED,
];

/// Payload of `payment.completed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCompleted {
    /// Payment.
    pub payment_id: Uuid,
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Amount charged.
    pub amount: Money,
}

/// Payload of `payment.failed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentFailed {
    /// Payment.
    pub payment_id: Uuid,
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Amount that was declined.
    pub amount: Money,
    /// Why.
    pub reason: String,
}

/// Payload of `payment.refunded`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRefunded {
    /// Payment.
    pub payment_id: Uuid,
    /// Refund.
    pub refund_id: Uuid,
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Amount refunded.
    pub amount: Money,
}

/// The part of `order.created` payments reads (unknown fields are ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCreated {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Amount due.
    pub total: Money,
}

/// The part of `inventory.reserved`, `order.cancelled` and `order.failed` payments reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRef {
    /// Order.
    pub order_id: Uuid,
}

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
                let order: OrderCreated = event.data_as()?;
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
    fn order_created_is_read_tolerantly() {
        let order: OrderCreated = serde_json::from_value(serde_json::json!({
            "orderId": Uuid::nil(), "userId": Uuid::nil(), "storeId": Uuid::nil(),
            "total": {"amount": 1213, "currency": "EUR"}, "lines": [{"productId": Uuid::nil()}]
        }))
        .unwrap();
        assert_eq!(order.total.amount, 1213);
    }

    #[test]
    fn refunds_serialize_in_camel_case() {
        let json = serde_json::to_value(PaymentRefunded {
            payment_id: Uuid::nil(),
            refund_id: Uuid::nil(),
            order_id: Uuid::nil(),
            user_id: Uuid::nil(),
            amount: Money::new(1, "EUR"),
        })
        .unwrap();
        assert!(json["refundId"].is_string());
        assert_eq!(json["amount"]["currency"], "EUR");
    }
}
