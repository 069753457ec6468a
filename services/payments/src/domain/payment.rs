//! Payments and their audit log.

use chrono::{DateTime, Utc};
use kit::pagination::ListParams;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Money;

/// Where a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum PaymentStatus {
    /// The order's amount is recorded; not charged yet.
    Pending,
    /// Charged.
    Completed,
    /// Declined by the processor (final).
    Failed,
    /// The order was cancelled before the charge; never charged (final).
    Cancelled,
    /// Charged, then refunded (final).
    Refunded,
}

impl PaymentStatus {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
        }
    }
}

/// A payment: what an order owes and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// Id.
    pub id: Uuid,
    /// The order it pays.
    pub order_id: Uuid,
    /// The customer.
    pub user_id: Uuid,
    /// The order's total.
    pub amount: Money,
    /// Current status.
    pub status: PaymentStatus,
    /// Why the processor declined it.
    pub decline_reason: Option<String>,
    /// The refund, once refunded.
    pub refund_id: Option<Uuid>,
    /// When the intent was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One entry of a payment's append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Sequence number (increasing).
    pub id: i64,
    /// Status before (absent when the payment was recorded).
    pub from: Option<PaymentStatus>,
    /// Status after.
    pub to: PaymentStatus,
    /// The event that caused the change.
    pub event_id: Option<Uuid>,
    /// What happened.
    pub detail: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl kit::owner::Owned for Payment {
    fn owner(&self) -> Uuid {
        self.user_id
    }
}

/// Query of `GET /api/payments`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PaymentListParams {
    /// Only payments in this status.
    #[param(value_type = Option<PaymentStatus>)]
    pub status: Option<PaymentStatus>,
    /// Only the payment of this order.
    pub order_id: Option<Uuid>,
    /// Only payments of this customer (admin; a customer always sees only their own).
    pub user_id: Option<Uuid>,
}

/// A validated payment list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentQuery {
    /// Status filter.
    pub status: Option<PaymentStatus>,
    /// Order filter.
    pub order_id: Option<Uuid>,
    /// Customer filter.
    pub user_id: Option<Uuid>,
}

impl ListParams for PaymentListParams {
    type Query = PaymentQuery;

    fn filters(&self, _v: &mut Validator) -> PaymentQuery {
        PaymentQuery {
            status: self.status,
            order_id: self.order_id,
            user_id: self.user_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use kit::pagination::PageParams;

    use super::*;

    #[test]
    fn list_params_are_checked() {
        let page = PageParams {
            limit: Some(0),
            offset: Some(-1),
            ..PageParams::default()
        };
        let fields = PaymentListParams::default()
            .validate(&page)
            .unwrap_err()
            .invalid_fields();
        assert_eq!(fields, ["limit", "offset"]);
    }

    #[test]
    fn statuses_parse() {
        let s: PaymentStatus = serde_json::from_str("\"refunded\"").unwrap();
        assert_eq!(s.as_str(), "refunded");
    }
}
