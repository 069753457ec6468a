//! Events orders publishes (through the outbox) and consumes (the checkout and the saga).
//!
//! Late or out-of-order saga events never move an order backwards: each transition is
//! guarded in SQL and a refused one is logged and acknowledged. In particular a
//! `payment.completed` for an order that was cancelled meanwhile leaves it cancelled;
//! payments refunds that charge when it handles the `order.cancelled` (it refunds whatever
//! it charged, whichever of the two it sees first).

use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Money;
use crate::domain::order::{OrderLine, QUANTITY_MAX};
use crate::domain::pricing;
use crate::saga::{self, Outcome, Transition};
use crate::store::orders::NewOrderRow;

/// An order was created (published).
pub const ORDER_CREATED: &str = "order.created";
/// An order was paid (published).
pub const ORDER_PAID: &str = "order.paid";
/// An order was cancelled (published).
pub const ORDER_CANCELLED: &str = "order.cancelled";
/// An order failed (published).
pub const ORDER_FAILED: &str = "order.failed";
/// A cart was checked out (consumed: the order is created).
pub const CART_CHECKED_OUT: &str = "cart.checked_out";
/// Inventory holds an order's stock (consumed).
pub const INVENTORY_RESERVED: &str = "inventory.reserved";
/// Inventory could not hold an order's stock (consumed).
pub const INVENTORY_REJECTED: &str = "inventory.rejected";
/// An order's payment went through (consumed).
pub const PAYMENT_COMPLETED: &str = "payment.completed";
/// An order's payment was declined (consumed).
pub const PAYMENT_FAILED: &str = "payment.failed";
/// The events of the saga queue.
pub const SAGA_EVENTS: &[&str] = &[
    INVENTORY_RESERVED,
    INVENTORY_REJECTED,
    PAYMENT_COMPLETED,
    PAYMENT_FAILED,
];

/// Payload of `order.created`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCreated {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Amount due.
    pub total: Money,
    /// Lines with captured prices (`petId` only on pet lines).
    pub lines: Vec<OrderLine>,
}

/// Payload of `order.paid`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPaid {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Amount paid.
    pub total: Money,
    /// The payment.
    pub payment_id: Uuid,
    /// Lines, as in `order.created`.
    pub lines: Vec<OrderLine>,
}

/// Payload of `order.cancelled`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Why.
    pub reason: String,
    /// Whether orders had seen it paid (payments refunds on its own records either way).
    pub was_paid: bool,
}

/// Payload of `order.failed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderFailed {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Why.
    pub reason: String,
}

/// The part of `cart.checked_out` orders reads (unknown fields are ignored); also the body
/// of `POST /internal/checkouts`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartCheckedOut {
    /// The cart.
    #[serde(default)]
    pub cart_id: Option<Uuid>,
    /// The customer.
    pub user_id: Uuid,
    /// The order to create, with exactly this id.
    pub order_id: Uuid,
    /// The store.
    pub store_id: Uuid,
    /// Lines with the prices the cart showed.
    pub lines: Vec<OrderLine>,
    /// Σ quantity × unit price.
    pub total: Money,
}

/// The fields of the saga's events that orders reads (unknown fields are ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SagaEvent {
    /// The order.
    pub order_id: Uuid,
    /// The payment (`payment.*`).
    #[serde(default)]
    pub payment_id: Option<Uuid>,
    /// Why (`inventory.rejected`, `payment.failed`).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Creates the order of a checked-out cart, with exactly its id, lines and prices.
#[derive(Debug, Clone)]
pub struct CheckoutHandler {
    outbox: Outbox,
}

impl CheckoutHandler {
    /// A handler writing its events through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

/// Why a checkout cannot become an order; never better on a retry.
#[derive(Debug, thiserror::Error)]
#[error("checkout {order_id}: {reason}")]
pub struct InvalidCheckout {
    /// The order the checkout asked for.
    pub order_id: Uuid,
    /// What is wrong with it.
    pub reason: String,
}

/// Creates the order of a checkout (pending, with exactly its id, lines and prices, and
/// `order.created`) in the caller's transaction; `false` when it exists already. Shared
/// by the consumer of `cart.checked_out` and `POST /internal/checkouts`, so that whichever
/// comes first creates the order and the other finds it.
pub async fn create_from_checkout(
    tx: &mut PgConnection,
    outbox: &Outbox,
    checkout: &CartCheckedOut,
) -> Result<Result<bool, InvalidCheckout>, saga::SagaError> {
    let invalid = |reason: String| {
        Ok(Err(InvalidCheckout {
            order_id: checkout.order_id,
            reason,
        }))
    };
    if let Some(bad) = checkout
        .lines
        .iter()
        .find(|l| !(1..=QUANTITY_MAX).contains(&l.quantity) || l.unit_price.amount < 0)
    {
        return invalid(format!("invalid line for product {}", bad.product_id));
    }
    // Lines in mixed currencies or an overflowing total cannot be charged; a total that
    // disagrees with the lines is a bug upstream, and charging either figure would be
    // wrong, so the checkout is refused (the event goes to the dead-letter queue for a human).
    let total = match pricing::total(&checkout.lines) {
        Ok(total) => total,
        Err(err) => return invalid(format!("{err:?}")),
    };
    if total != checkout.total {
        return invalid(format!(
            "total {:?} does not match its lines ({total:?})",
            checkout.total
        ));
    }
    let row = NewOrderRow {
        id: checkout.order_id,
        user_id: checkout.user_id,
        store_id: checkout.store_id,
        total: &total,
        source: "checkout",
        cart_id: checkout.cart_id,
        idempotency_key: None,
    };
    Ok(Ok(saga::create(tx, outbox, &row, &checkout.lines).await?))
}

impl EventHandler for CheckoutHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        let checkout: CartCheckedOut = event.data_as()?;
        match create_from_checkout(tx, &self.outbox, &checkout).await? {
            Ok(true) => {}
            Ok(false) => {
                // The usual case: the cart handed the checkout over synchronously already.
                tracing::debug!(order_id = %checkout.order_id, "order of this checkout exists already");
            }
            Err(invalid) => return Err(HandlerError::permanent(invalid)),
        }
        Ok(())
    }
}

/// Moves orders along the saga on inventory's and payments' events.
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

/// The transition an event asks for.
pub fn transition_for(event_type: &str, data: &SagaEvent) -> Result<Transition, HandlerError> {
    let reason = |default: &str| data.reason.clone().unwrap_or_else(|| default.to_string());
    match event_type {
        INVENTORY_RESERVED => Ok(Transition::Reserve),
        INVENTORY_REJECTED => Ok(Transition::Fail {
            reason: reason("inventory rejected the order"),
        }),
        PAYMENT_COMPLETED => data
            .payment_id
            .map(|payment_id| Transition::Pay { payment_id })
            .ok_or_else(|| HandlerError::permanent("payment.completed without paymentId")),
        PAYMENT_FAILED => Ok(Transition::Fail {
            reason: reason("payment declined"),
        }),
        other => Err(HandlerError::permanent(format!(
            "unexpected event type {other}"
        ))),
    }
}

impl EventHandler for SagaHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        let data: SagaEvent = event.data_as()?;
        let transition = transition_for(&event.event_type, &data)?;
        match saga::apply(tx, &self.outbox, data.order_id, &transition).await? {
            Outcome::Moved(before) => {
                tracing::info!(order_id = %data.order_id, from = before.status.as_str(), event = %event.event_type, "order moved");
            }
            Outcome::Refused(status) => {
                // Late or out-of-order: the order keeps its status. A payment completed for
                // a cancelled order is refunded by payments, which consumes order.cancelled.
                tracing::warn!(order_id = %data.order_id, status = status.as_str(), event = %event.event_type, "event does not apply to the order's status; ignored");
            }
            Outcome::Missing => {
                // Orders publishes order.created only after the order is committed, so an
                // event for an unknown order cannot become valid by retrying.
                return Err(HandlerError::permanent(format!(
                    "{} for unknown order {}",
                    event.event_type, data.order_id
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
    fn saga_events_are_read_tolerantly() {
        let data: SagaEvent = serde_json::from_value(serde_json::json!({
            "paymentId": Uuid::nil(), "orderId": Uuid::nil(), "userId": Uuid::nil(),
            "amount": {"amount": 5, "currency": "EUR"}, "extra": true
        }))
        .unwrap();
        assert_eq!(
            transition_for(PAYMENT_COMPLETED, &data).unwrap(),
            Transition::Pay {
                payment_id: Uuid::nil()
            }
        );
        assert!(matches!(
            transition_for("order.created", &data),
            Err(HandlerError::Permanent(_))
        ));
    }

    #[test]
    fn checkout_payload_parses() {
        let checkout: CartCheckedOut = serde_json::from_value(serde_json::json!({
            "cartId": Uuid::nil(), "userId": Uuid::nil(), "orderId": Uuid::nil(),
            "storeId": Uuid::nil(),
            "lines": [{"productId": Uuid::nil(), "sku": "A", "name": "A", "quantity": 2,
                       "unitPrice": {"amount": 100, "currency": "EUR"}}],
            "total": {"amount": 200, "currency": "EUR"}
        }))
        .unwrap();
        assert_eq!(checkout.lines[0].pet_id, None);
    }

    #[test]
    fn order_created_serializes_in_camel_case() {
        let json = serde_json::to_value(OrderCancelled {
            order_id: Uuid::nil(),
            user_id: Uuid::nil(),
            store_id: Uuid::nil(),
            reason: "x".into(),
            was_paid: true,
        })
        .unwrap();
        assert_eq!(json["wasPaid"], true);
        assert!(json["orderId"].is_string());
    }
}
