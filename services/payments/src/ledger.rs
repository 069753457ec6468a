//! Every payment state change with its audit row and its event, in the consumer's
//! transaction.
//!
//! Ordering: `order.created` (which records the intent) and `inventory.reserved` (which
//! charges it) reach this service's one queue by different paths, so a reservation can
//! arrive first. Rather than failing transiently and hoping the intent arrives within the
//! bounded retries (which would dead-letter a perfectly good charge under load), such an
//! event is parked in `parked_events` and applied the moment the intent is recorded. The
//! same holds for an `order.cancelled` that overtakes `order.created`: the intent is then
//! recorded as cancelled and never charged. `order.failed` is handled like a cancellation
//! (an order inventory rejected leaves no intent pending forever).
//!
//! Refunds are decided on this service's own records, not on `wasPaid`: if a charge
//! completed (even one orders had not seen yet when the customer cancelled), the
//! `order.cancelled` refunds it, exactly once (the status guard completed → refunded).

use kit::error::TxError;
use kit::events::Outbox;
use kit::events::schema::{
    PAYMENT_COMPLETED, PAYMENT_FAILED, PAYMENT_REFUNDED, PaymentCompleted, PaymentFailed,
    PaymentRefunded,
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Money;
use crate::domain::payment::PaymentStatus;
use crate::domain::processor::{self, Decision};
use crate::store::payments::{self as store, Parked, PaymentRow};

/// Records what an order owes (`order.created`), then applies whatever was parked for it.
pub async fn record_intent(
    conn: &mut PgConnection,
    outbox: &Outbox,
    event_id: Uuid,
    order_id: Uuid,
    user_id: Uuid,
    amount: &Money,
) -> Result<(), TxError> {
    let id = Uuid::new_v4();
    if !store::insert(conn, id, order_id, user_id, amount).await? {
        tracing::info!(%order_id, "payment intent exists already");
        return Ok(());
    }
    store::audit(
        conn,
        id,
        None,
        PaymentStatus::Pending,
        event_id,
        "intent recorded from order.created",
    )
    .await?;
    let parked = store::take_parked(conn, order_id).await?;
    if let Some((_, cancel_event)) = parked.iter().find(|(k, _)| *k == Parked::Cancelled) {
        cancel(conn, outbox, *cancel_event, order_id, "cancelled or failed").await?;
    } else if let Some((_, reserve_event)) = parked.iter().find(|(k, _)| *k == Parked::Reserved) {
        reserved(conn, outbox, *reserve_event, order_id).await?;
    }
    Ok(())
}

/// Charges an order whose stock is reserved (`inventory.reserved`), at most once.
pub async fn reserved(
    conn: &mut PgConnection,
    outbox: &Outbox,
    event_id: Uuid,
    order_id: Uuid,
) -> Result<(), TxError> {
    let Some(payment) = store::by_order_for_update(conn, order_id).await? else {
        tracing::info!(%order_id, "stock reserved before the payment intent arrived; parked");
        store::park(conn, order_id, Parked::Reserved, event_id).await?;
        return Ok(());
    };
    if payment.status != PaymentStatus::Pending {
        tracing::info!(%order_id, status = payment.status.as_str(), "not pending; no charge");
        return Ok(());
    }
    charge(conn, outbox, event_id, &payment).await
}

async fn charge(
    conn: &mut PgConnection,
    outbox: &Outbox,
    event_id: Uuid,
    payment: &PaymentRow,
) -> Result<(), TxError> {
    let amount = payment.amount();
    let pending = PaymentStatus::Pending;
    match processor::charge(&amount) {
        Decision::Approved => {
            let to = PaymentStatus::Completed;
            if !store::set_status(conn, payment.id, pending, to, None, None).await? {
                return Ok(());
            }
            store::audit(conn, payment.id, Some(pending), to, event_id, "charged").await?;
            let event = PaymentCompleted {
                payment_id: payment.id,
                order_id: payment.order_id,
                user_id: payment.user_id,
                amount,
            };
            outbox.enqueue(conn, PAYMENT_COMPLETED, &event).await?;
        }
        Decision::Declined(reason) => {
            let to = PaymentStatus::Failed;
            if !store::set_status(conn, payment.id, pending, to, Some(reason), None).await? {
                return Ok(());
            }
            let detail = format!("declined: {reason}");
            store::audit(conn, payment.id, Some(pending), to, event_id, &detail).await?;
            let event = PaymentFailed {
                payment_id: payment.id,
                order_id: payment.order_id,
                user_id: payment.user_id,
                amount,
                reason: reason.to_string(),
            };
            outbox.enqueue(conn, PAYMENT_FAILED, &event).await?;
        }
    }
    Ok(())
}

/// Handles an order that will not be fulfilled (`order.cancelled`, `order.failed`; `why` says
/// which): refunds a completed charge exactly once; a payment not charged yet is cancelled
/// so that a later reservation does not charge it.
pub async fn cancel(
    conn: &mut PgConnection,
    outbox: &Outbox,
    event_id: Uuid,
    order_id: Uuid,
    why: &str,
) -> Result<(), TxError> {
    let Some(payment) = store::by_order_for_update(conn, order_id).await? else {
        tracing::info!(%order_id, why, "order closed before the payment intent arrived; parked");
        store::park(conn, order_id, Parked::Cancelled, event_id).await?;
        return Ok(());
    };
    match payment.status {
        PaymentStatus::Pending => {
            let (from, to) = (PaymentStatus::Pending, PaymentStatus::Cancelled);
            if store::set_status(conn, payment.id, from, to, None, None).await? {
                let detail = format!("order {why} before the charge");
                store::audit(conn, payment.id, Some(from), to, event_id, &detail).await?;
            }
        }
        PaymentStatus::Completed => {
            let (from, to) = (PaymentStatus::Completed, PaymentStatus::Refunded);
            let refund_id = Uuid::new_v4();
            if store::set_status(conn, payment.id, from, to, None, Some(refund_id)).await? {
                let detail = format!("refunded (refund {refund_id}): order {why}");
                store::audit(conn, payment.id, Some(from), to, event_id, &detail).await?;
                let event = PaymentRefunded {
                    payment_id: payment.id,
                    refund_id,
                    order_id,
                    user_id: payment.user_id,
                    amount: payment.amount(),
                };
                outbox.enqueue(conn, PAYMENT_REFUNDED, &event).await?;
            }
        }
        other => {
            tracing::info!(%order_id, status = other.as_str(), "nothing to refund");
        }
    }
    Ok(())
}
