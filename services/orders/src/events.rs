//! Orders' consumers of the events declared in [`kit::events::schema`]: `cart.checked_out`
//! (the order is created) and the saga's replies (it moves along); what orders publishes is
//! written by [`crate::saga`].
//!
//! Late or out-of-order saga events never move an order backwards: each transition is
//! guarded in SQL and a refused one is logged and acknowledged. In particular a
//! `payment.completed` for an order that was cancelled meanwhile leaves it cancelled;
//! payments refunds that charge when it handles the `order.cancelled` (it refunds whatever
//! it charged, whichever of the two it sees first).

use kit::error::TxError;
use kit::events::schema::{
    CART_CHECKED_OUT, CartCheckedOut, INVENTORY_REJECTED, INVENTORY_RESERVED, PAYMENT_COMPLETED,
    PAYMENT_FAILED, SagaReply,
};
use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::order::QUANTITY_MAX;
use crate::domain::pricing;
use crate::saga::{self, Outcome, Transition};
use crate::store::orders::NewOrderRow;

/// The events of the checkout queue.
pub const CHECKOUT_EVENTS: &[&str] = &[CART_CHECKED_OUT];
/// The events of the saga queue.
pub const SAGA_EVENTS: &[&str] = &[
    INVENTORY_RESERVED,
    INVENTORY_REJECTED,
    PAYMENT_COMPLETED,
    PAYMENT_FAILED,
];

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
) -> Result<Result<bool, InvalidCheckout>, TxError> {
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
pub fn transition_for(event_type: &str, data: &SagaReply) -> Result<Transition, HandlerError> {
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
        let data: SagaReply = event.data_as()?;
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
    fn the_registry_names_what_orders_consumes() {
        kit::events::schema::assert_consumes("orders", &[CHECKOUT_EVENTS, SAGA_EVENTS]);
    }

    #[test]
    fn saga_events_are_read_tolerantly() {
        let data: SagaReply = serde_json::from_value(serde_json::json!({
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
}
