//! Every change of an order together with its history row and its event, in the caller's
//! transaction: shared by the HTTP handlers and the consumers so both paths behave alike.

use kit::error::TxError;
use kit::events::Outbox;
use kit::events::schema::{
    ORDER_CANCELLED, ORDER_CREATED, ORDER_FAILED, ORDER_PAID, OrderCancelled, OrderCreated,
    OrderFailed, OrderPaid,
};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::order::{Order, OrderLine, OrderStatus};
use crate::store::orders::{self as store, NewOrderRow, OrderRow};

/// Creates an order (status `pending`), its lines, its first history row and `order.created`;
/// `false` (and nothing written) when an order with its id or idempotency key exists.
pub async fn create(
    conn: &mut PgConnection,
    outbox: &Outbox,
    order: &NewOrderRow<'_>,
    lines: &[OrderLine],
) -> Result<bool, TxError> {
    if !store::insert(conn, order).await? {
        return Ok(false);
    }
    store::insert_lines(conn, order.id, lines).await?;
    let reason = if order.source == "checkout" {
        "created from a checkout"
    } else {
        "created"
    };
    store::insert_history(conn, order.id, None, OrderStatus::Pending, Some(reason)).await?;
    let event = OrderCreated {
        order_id: order.id,
        user_id: order.user_id,
        store_id: order.store_id,
        total: order.total.clone(),
        lines: lines.to_vec(),
    };
    outbox.enqueue(conn, ORDER_CREATED, &event).await?;
    Ok(true)
}

/// A change of status an order may go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// inventory.reserved.
    Reserve,
    /// inventory.rejected or payment.failed.
    Fail {
        /// Why.
        reason: String,
    },
    /// payment.completed.
    Pay {
        /// The payment.
        payment_id: Uuid,
    },
    /// Cancelled by its customer or an admin.
    Cancel {
        /// Why.
        reason: String,
    },
    /// Handed to a carrier (admin).
    Ship {
        /// Carrier.
        carrier: String,
        /// Tracking number.
        tracking_number: String,
    },
    /// Arrived (admin).
    Deliver,
}

impl Transition {
    /// The statuses the transition may start from, and where it ends.
    pub fn edge(&self) -> (&'static [OrderStatus], OrderStatus) {
        use OrderStatus::*;
        match self {
            Self::Reserve => (&[Pending], Reserved),
            // Payment may complete or fail before inventory.reserved is seen by orders (they
            // travel different paths), so pending is allowed too.
            Self::Fail { .. } => (&[Pending, Reserved], Failed),
            Self::Pay { .. } => (&[Pending, Reserved], Paid),
            Self::Cancel { .. } => (&[Pending, Reserved, Paid], Cancelled),
            Self::Ship { .. } => (&[Paid], Shipped),
            Self::Deliver => (&[Shipped], Delivered),
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Self::Fail { reason } | Self::Cancel { reason } => Some(reason),
            _ => None,
        }
    }
}

/// What became of a transition.
#[derive(Debug)]
pub enum Outcome {
    /// Applied; the order as it was before.
    Moved(Box<OrderRow>),
    /// Not allowed from the order's current status (which it keeps).
    Refused(OrderStatus),
    /// No such order.
    Missing,
}

/// Applies `transition` to order `id` if its status allows it, with its history row and
/// event, in the caller's transaction.
pub async fn apply(
    conn: &mut PgConnection,
    outbox: &Outbox,
    id: Uuid,
    transition: &Transition,
) -> Result<Outcome, TxError> {
    let Some(before) = store::get_for_update(&mut *conn, id).await? else {
        return Ok(Outcome::Missing);
    };
    let (allowed, to) = transition.edge();
    let payment_id = match transition {
        Transition::Pay { payment_id } => Some(*payment_id),
        _ => None,
    };
    // The row is locked, but the guard stays in the UPDATE itself: the status in the table,
    // not the one read, decides.
    if !store::set_status(conn, id, allowed, to, transition.reason(), payment_id).await? {
        return Ok(Outcome::Refused(before.status));
    }
    store::insert_history(conn, id, Some(before.status), to, transition.reason()).await?;
    match transition {
        Transition::Reserve | Transition::Deliver => {}
        Transition::Fail { reason } => {
            let event = OrderFailed {
                order_id: id,
                user_id: before.user_id,
                store_id: before.store_id,
                reason: reason.clone(),
            };
            outbox.enqueue(conn, ORDER_FAILED, &event).await?;
        }
        Transition::Pay { payment_id } => {
            let lines = lines_of(&mut *conn, id).await?;
            let event = OrderPaid {
                order_id: id,
                user_id: before.user_id,
                store_id: before.store_id,
                total: before.total(),
                payment_id: *payment_id,
                lines,
            };
            outbox.enqueue(conn, ORDER_PAID, &event).await?;
        }
        Transition::Cancel { reason } => {
            let event = OrderCancelled {
                order_id: id,
                user_id: before.user_id,
                store_id: before.store_id,
                reason: reason.clone(),
                was_paid: before.status == OrderStatus::Paid,
            };
            outbox.enqueue(conn, ORDER_CANCELLED, &event).await?;
        }
        Transition::Ship {
            carrier,
            tracking_number,
        } => store::insert_shipment(conn, id, carrier.trim(), tracking_number.trim()).await?,
    }
    if *transition == Transition::Deliver {
        store::mark_delivered(conn, id).await?;
    }
    Ok(Outcome::Moved(Box::new(before)))
}

async fn lines_of(db: impl PgExecutor<'_>, id: Uuid) -> Result<Vec<OrderLine>, sqlx::Error> {
    Ok(store::lines(db, &[id])
        .await?
        .into_iter()
        .map(|(_, line)| line)
        .collect())
}

/// One full order, with its lines.
pub async fn load(db: impl PgExecutor<'_> + Copy, id: Uuid) -> Result<Option<Order>, sqlx::Error> {
    let Some(row) = store::get(db, id).await? else {
        return Ok(None);
    };
    Ok(Some(row.into_order(lines_of(db, id).await?)))
}

/// Full orders from rows, with their lines fetched in one query.
pub async fn with_lines(
    db: impl PgExecutor<'_>,
    rows: Vec<OrderRow>,
) -> Result<Vec<Order>, sqlx::Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_order: std::collections::HashMap<Uuid, Vec<OrderLine>> =
        std::collections::HashMap::new();
    for (order_id, line) in store::lines(db, &ids).await? {
        by_order.entry(order_id).or_default().push(line);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let lines = by_order.remove(&row.id).unwrap_or_default();
            row.into_order(lines)
        })
        .collect())
}
