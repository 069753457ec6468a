//! Orders, their lines, status history and shipments.

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::pagination::ListParams;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Money;

/// Most lines an order may have.
pub const LINES_MAX: usize = 50;
/// Largest quantity of one line.
pub const QUANTITY_MAX: i64 = 100;
/// Longest carrier name and tracking number.
pub const SHIPPING_TEXT_MAX: usize = 100;
/// Longest cancellation reason.
pub const REASON_MAX: usize = 500;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum OrderStatus {
    /// Created; inventory has not answered yet.
    Pending,
    /// Inventory holds the stock; payment is under way.
    Reserved,
    /// Paid; waiting to be shipped.
    Paid,
    /// Handed to a carrier.
    Shipped,
    /// Arrived.
    Delivered,
    /// Stock or payment was refused (final).
    Failed,
    /// Cancelled by its customer or an admin (final).
    Cancelled,
}

impl OrderStatus {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Reserved => "reserved",
            Self::Paid => "paid",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

pub use kit::events::schema::OrderLine;

/// How an order was shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    /// Carrier.
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
    /// When it was shipped.
    pub shipped_at: DateTime<Utc>,
    /// When it was delivered, once it was.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Id.
    pub id: Uuid,
    /// The customer who placed it.
    pub user_id: Uuid,
    /// The store that fulfils it.
    pub store_id: Uuid,
    /// Current status.
    pub status: OrderStatus,
    /// Σ quantity × unit price.
    pub total: Money,
    /// Lines, in the order they were given.
    pub lines: Vec<OrderLine>,
    /// `api` or `checkout`.
    pub source: String,
    /// The payment that paid it, once paid.
    pub payment_id: Option<Uuid>,
    /// Why it failed or was cancelled.
    pub status_reason: Option<String>,
    /// Shipping details, once shipped.
    pub shipment: Option<Shipment>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One entry of an order's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    /// Status before (absent for the creation).
    pub from: Option<OrderStatus>,
    /// Status after.
    pub to: OrderStatus,
    /// Why, when known.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// One line of `POST /api/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOrderLine {
    /// A product of the catalog that is on sale.
    pub product_id: Uuid,
    /// How many, 1–100.
    #[schema(minimum = 1, maximum = 100)]
    pub quantity: i64,
}

/// Body of `POST /api/orders`. Prices are looked up in the catalog, never taken from here.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOrder {
    /// The store that fulfils the order.
    pub store_id: Uuid,
    /// 1–50 lines, each product at most once.
    #[schema(min_items = 1, max_items = 50)]
    pub lines: Vec<NewOrderLine>,
}

impl NewOrder {
    /// Checks the lines, naming each bad one.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut v = Validator::new();
        v.check(
            "lines",
            (1..=LINES_MAX).contains(&self.lines.len()),
            format!("must have 1–{LINES_MAX} lines"),
        );
        let mut seen = std::collections::HashSet::new();
        for (i, line) in self.lines.iter().enumerate() {
            v.range(
                &format!("lines[{i}].quantity"),
                line.quantity,
                1,
                QUANTITY_MAX,
            );
            v.check(
                &format!("lines[{i}].productId"),
                seen.insert(line.product_id),
                "appears in more than one line",
            );
        }
        v.finish()
    }

    /// Whether an existing order is what this request would have created (same store,
    /// same products and quantities in the same order): the test for an idempotent replay.
    pub fn matches(&self, order: &Order) -> bool {
        self.store_id == order.store_id
            && self.lines.len() == order.lines.len()
            && self
                .lines
                .iter()
                .zip(&order.lines)
                .all(|(a, b)| a.product_id == b.product_id && a.quantity == b.quantity)
    }
}

/// Body of `POST /api/orders/{id}/ship`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShipRequest {
    /// Carrier, 1–100 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub carrier: String,
    /// Tracking number, 1–100 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub tracking_number: String,
}

impl ShipRequest {
    /// Checks both fields.
    pub fn validate(&self) -> Result<(), ApiError> {
        Validator::new()
            .text("carrier", &self.carrier, 1, SHIPPING_TEXT_MAX)
            .text(
                "trackingNumber",
                &self.tracking_number,
                1,
                SHIPPING_TEXT_MAX,
            )
            .finish()
    }
}

/// Optional body of `POST /api/orders/{id}/cancel`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelRequest {
    /// Why, 1–500 characters (default: who cancelled).
    #[serde(default)]
    pub reason: Option<String>,
}

impl CancelRequest {
    /// Checks the reason.
    pub fn validate(&self) -> Result<(), ApiError> {
        Validator::new()
            .optional_text("reason", self.reason.as_deref(), 1, REASON_MAX)
            .finish()
    }
}

/// Query of `GET /api/orders`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrderListParams {
    /// Only orders in this status.
    #[param(value_type = Option<OrderStatus>)]
    pub status: Option<OrderStatus>,
    /// Only orders of this customer (admin; a customer always sees only their own).
    pub user_id: Option<Uuid>,
}

/// A validated order list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// Status filter.
    pub status: Option<OrderStatus>,
    /// Customer filter.
    pub user_id: Option<Uuid>,
}

impl ListParams for OrderListParams {
    type Query = OrderQuery;

    fn filters(&self, _v: &mut Validator) -> OrderQuery {
        OrderQuery {
            status: self.status,
            user_id: self.user_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: ApiError) -> Vec<String> {
        err.invalid_fields()
    }

    fn line(quantity: i64) -> NewOrderLine {
        NewOrderLine {
            product_id: Uuid::new_v4(),
            quantity,
        }
    }

    #[test]
    fn lines_are_checked() {
        let empty = NewOrder {
            store_id: Uuid::new_v4(),
            lines: vec![],
        };
        assert_eq!(fields(empty.validate().unwrap_err()), ["lines"]);
        let dup = line(1);
        let bad = NewOrder {
            store_id: Uuid::new_v4(),
            lines: vec![line(0), line(101), dup.clone(), dup],
        };
        assert_eq!(
            fields(bad.validate().unwrap_err()),
            [
                "lines[0].quantity",
                "lines[1].quantity",
                "lines[3].productId"
            ]
        );
        let many = NewOrder {
            store_id: Uuid::new_v4(),
            lines: (0..51).map(|_| line(1)).collect(),
        };
        assert_eq!(fields(many.validate().unwrap_err()), ["lines"]);
    }

    #[test]
    fn ship_request_is_checked() {
        let req = ShipRequest {
            carrier: " ".into(),
            tracking_number: "x".repeat(101),
        };
        assert_eq!(
            fields(req.validate().unwrap_err()),
            ["carrier", "trackingNumber"]
        );
    }

    #[test]
    fn status_names() {
        let s: OrderStatus = serde_json::from_str("\"cancelled\"").unwrap();
        assert_eq!(s.as_str(), "cancelled");
    }
}
