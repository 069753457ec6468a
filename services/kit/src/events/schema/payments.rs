//! Events payments publishes, and the part of the saga's replies orders reads.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Money;

/// An order's charge went through.
pub const PAYMENT_COMPLETED: &str = "payment.completed";
/// An order's charge was declined.
pub const PAYMENT_FAILED: &str = "payment.failed";
/// A charge was refunded.
pub const PAYMENT_REFUNDED: &str = "payment.refunded";

/// Payload of [`PAYMENT_COMPLETED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Payload of [`PAYMENT_FAILED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Payload of [`PAYMENT_REFUNDED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// The part of the saga's replies to an order (`inventory.reserved`, `inventory.rejected`,
/// `payment.completed`, `payment.failed`) that orders reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SagaReply {
    /// The order.
    pub order_id: Uuid,
    /// The payment (`payment.*`).
    #[serde(default)]
    pub payment_id: Option<Uuid>,
    /// Why (`inventory.rejected`, `payment.failed`).
    #[serde(default)]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
