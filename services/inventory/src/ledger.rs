//! Every change of stock, in one place: lock the rows (store id, then product id), compute
//! the new quantities with the pure arithmetic of [`crate::domain::stock::Level`], write
//! them with their movements, and announce a crossing below the minimum.
//!
//! Each operation runs inside the caller's transaction: an HTTP handler's (retried on
//! deadlock or serialization failure by [`crate::store::retrying`]) or the kit consumer's
//! (retried by the kit).

use std::collections::BTreeMap;

use kit::ApiError;
use kit::error::TxError;
use kit::events::Outbox;
use kit::events::schema::{
    INVENTORY_LOW_STOCK, INVENTORY_REJECTED, INVENTORY_RESERVED, InventoryRejected,
    InventoryReserved, LineShortfall, LowStock, OrderStock, ReservedLine,
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::movement::{MovementKind, NewMovement};
use crate::domain::stock::{Adjustment, Level, OverCap, SetStock, StockItem};
use crate::domain::store::StoreStatus;
use crate::domain::transfer::{NewTransfer, Transfer};
use crate::store::reservations::Reservation;
use crate::store::stock::StockRow;
use crate::store::{self, stock};

/// Writes `after` over the locked row `before`; when the available quantity crosses below
/// the minimum (it was not below at the previous change), emits `inventory.low_stock` once.
/// Rising back to the minimum re-arms the alert.
pub async fn write(
    conn: &mut PgConnection,
    outbox: &Outbox,
    before: &StockRow,
    after: Level,
) -> Result<StockRow, TxError> {
    let below = after.is_below_minimum();
    let row = stock::write(&mut *conn, before.store_id, before.product_id, after, below).await?;
    if below && !before.below_minimum {
        let event = LowStock {
            store_id: row.store_id,
            product_id: row.product_id,
            on_hand: after.on_hand,
            reserved: after.reserved,
            available: after.available(),
            min_stock: after.min_stock,
        };
        outbox
            .enqueue(&mut *conn, INVENTORY_LOW_STOCK, &event)
            .await?;
    }
    Ok(row)
}

/// 404 unless the store exists, 409 unless it is open; share-locks it so it cannot close
/// while its stock changes.
async fn lock_open_store(conn: &mut PgConnection, id: Uuid) -> Result<(), ApiError> {
    match store::stores::lock_statuses(&mut *conn, &[id])
        .await?
        .first()
    {
        None => Err(ApiError::not_found("store")),
        Some((_, StoreStatus::Closed)) => Err(ApiError::state_conflict(
            "the store is closed: its stock can no longer change",
        )),
        Some((_, StoreStatus::Open)) => Ok(()),
    }
}

/// Creates the stock row if needed (and a minimal product projection row, see
/// [`store::products::ensure`]) and locks it.
async fn lock_or_create(
    conn: &mut PgConnection,
    store_id: Uuid,
    product_id: Uuid,
) -> Result<StockRow, ApiError> {
    store::products::ensure(&mut *conn, product_id).await?;
    stock::ensure(&mut *conn, store_id, product_id).await?;
    stock::lock_in_store(&mut *conn, store_id, &[product_id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("stock row vanished after insert"))
}

fn over_cap(field: &str, err: OverCap) -> ApiError {
    ApiError::conflict(field, err.to_string())
}

fn insufficient(field: &str, available: i64) -> ApiError {
    ApiError::conflict(
        field,
        format!("insufficient stock: only {available} available"),
    )
}

async fn item(
    conn: &mut PgConnection,
    store_id: Uuid,
    product_id: Uuid,
) -> Result<StockItem, ApiError> {
    stock::item(&mut *conn, store_id, product_id)
        .await?
        .ok_or_else(|| ApiError::internal("stock row vanished after write"))
}

/// Sets on hand and/or the minimum of an item (creating it), with a movement.
pub async fn set_stock(
    conn: &mut PgConnection,
    outbox: &Outbox,
    store_id: Uuid,
    product_id: Uuid,
    body: &SetStock,
    actor: Uuid,
) -> Result<StockItem, ApiError> {
    lock_open_store(conn, store_id).await?;
    let before = lock_or_create(conn, store_id, product_id).await?;
    let mut after = before.level();
    if let Some(on_hand) = body.on_hand {
        after = after.set_on_hand(on_hand).map_err(|_| {
            ApiError::conflict(
                "onHand",
                format!(
                    "onHand cannot be below the {} units reserved for orders",
                    before.reserved
                ),
            )
        })?;
    }
    if let Some(min_stock) = body.min_stock {
        after.min_stock = min_stock;
    }
    write(conn, outbox, &before, after).await?;
    store::movements::insert(
        &mut *conn,
        &NewMovement {
            store_id,
            product_id,
            kind: MovementKind::Set,
            delta: after.on_hand - before.on_hand,
            on_hand_after: after.on_hand,
            reason: body.reason.trim().to_string(),
            actor_id: Some(actor),
            order_id: None,
            transfer_id: None,
        },
    )
    .await?;
    item(conn, store_id, product_id).await
}

/// Adds or removes units of an item (reserved units never leave), with a movement.
pub async fn adjust(
    conn: &mut PgConnection,
    outbox: &Outbox,
    store_id: Uuid,
    product_id: Uuid,
    body: &Adjustment,
    actor: Uuid,
) -> Result<StockItem, ApiError> {
    lock_open_store(conn, store_id).await?;
    let before = if body.delta > 0 {
        lock_or_create(conn, store_id, product_id).await?
    } else {
        stock::lock_in_store(&mut *conn, store_id, &[product_id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| insufficient("delta", 0))?
    };
    let after = if body.delta > 0 {
        before
            .level()
            .receive(body.delta)
            .map_err(|e| over_cap("delta", e))?
    } else {
        before
            .level()
            .adjust(body.delta)
            .map_err(|e| insufficient("delta", e.available))?
    };
    write(conn, outbox, &before, after).await?;
    store::movements::insert(
        &mut *conn,
        &NewMovement {
            store_id,
            product_id,
            kind: MovementKind::Adjustment,
            delta: body.delta,
            on_hand_after: after.on_hand,
            reason: body.reason.trim().to_string(),
            actor_id: Some(actor),
            order_id: None,
            transfer_id: None,
        },
    )
    .await?;
    item(conn, store_id, product_id).await
}

/// Moves units between two open stores: both rows, two movements and the transfer record,
/// all in the caller's transaction.
pub async fn transfer(
    conn: &mut PgConnection,
    outbox: &Outbox,
    body: &NewTransfer,
    actor: Uuid,
) -> Result<Transfer, ApiError> {
    let (from, to) = (body.from_store_id, body.to_store_id);
    let statuses = store::stores::lock_statuses(&mut *conn, &[from, to]).await?;
    let mut missing = kit::validate::Validator::new();
    for (field, id) in [("fromStoreId", from), ("toStoreId", to)] {
        match statuses.iter().find(|(s, _)| *s == id) {
            None => {
                missing.push(field, "no store has this id");
            }
            Some((_, StoreStatus::Closed)) => {
                return Err(ApiError::conflict(field, "the store is closed"));
            }
            Some(_) => {}
        }
    }
    missing.finish()?;
    // The destination row may not exist yet: create it, then lock both rows in one
    // statement, in store order (locking the source alone first would invert the order for
    // transfers the other way, and deadlock).
    // Rows are never deleted, so a source row seen here is still there once locked (and a
    // product never stocked anywhere has no projection row for the destination to refer to).
    if !stock::exists(&mut *conn, from, body.product_id).await? {
        return Err(insufficient("quantity", 0));
    }
    stock::ensure(&mut *conn, to, body.product_id).await?;
    let rows = stock::lock_across_stores(&mut *conn, body.product_id, &[from, to]).await?;
    let Some(source) = rows.iter().find(|r| r.store_id == from) else {
        return Err(insufficient("quantity", 0));
    };
    let Some(target) = rows.iter().find(|r| r.store_id == to) else {
        return Err(ApiError::internal("transfer row vanished while locked"));
    };
    let source_after = source
        .level()
        .take(body.quantity)
        .map_err(|e| insufficient("quantity", e.available))?;
    let target_after = target
        .level()
        .receive(body.quantity)
        .map_err(|e| over_cap("quantity", e))?;
    write(conn, outbox, source, source_after).await?;
    write(conn, outbox, target, target_after).await?;
    let transfer = store::transfers::insert(&mut *conn, body, Some(actor)).await?;
    let reason = if body.reason.trim().is_empty() {
        format!("transfer {}", transfer.id)
    } else {
        body.reason.trim().to_string()
    };
    for (store_id, kind, delta, on_hand_after) in [
        (
            from,
            MovementKind::TransferOut,
            -body.quantity,
            source_after.on_hand,
        ),
        (
            to,
            MovementKind::TransferIn,
            body.quantity,
            target_after.on_hand,
        ),
    ] {
        store::movements::insert(
            &mut *conn,
            &NewMovement {
                store_id,
                product_id: body.product_id,
                kind,
                delta,
                on_hand_after,
                reason: reason.clone(),
                actor_id: Some(actor),
                order_id: None,
                transfer_id: Some(transfer.id),
            },
        )
        .await?;
    }
    Ok(transfer)
}

/// Reserves every line of a new order at its store, or nothing: publishes
/// `inventory.reserved` or `inventory.rejected`. An order already reserved (or released,
/// or sold) is left alone.
pub async fn reserve(
    conn: &mut PgConnection,
    outbox: &Outbox,
    order: &OrderStock,
) -> Result<(), TxError> {
    if store::reservations::exists(&mut *conn, order.order_id).await? {
        tracing::info!(order_id = %order.order_id, "order already reserved; ignoring");
        return Ok(());
    }
    // Several lines of one product are one reservation; pet lines are not stocked here.
    let product_lines: Vec<(Uuid, i64)> = order
        .lines
        .iter()
        .filter_map(|line| line.product_id.map(|p| (p, line.quantity)))
        .collect();
    let mut wanted: BTreeMap<Uuid, i64> = BTreeMap::new();
    for &(product, quantity) in &product_lines {
        let total = wanted.entry(product).or_default();
        *total = total.saturating_add(quantity);
    }
    let products: Vec<Uuid> = wanted.keys().copied().collect();
    let mut reason = None;
    if order.lines.is_empty() || product_lines.iter().any(|&(_, q)| q <= 0) {
        reason = Some("the order has no lines or a line with a quantity below 1");
    }
    let status = store::stores::lock_statuses(&mut *conn, &[order.store_id]).await?;
    match status.first() {
        None => reason = reason.or(Some("the order's store does not exist")),
        Some((_, StoreStatus::Closed)) => reason = reason.or(Some("the order's store is closed")),
        Some(_) => {}
    }
    let sellable = store::products::sellable(&mut *conn, &products).await?;
    let rows = stock::lock_in_store(&mut *conn, order.store_id, &products).await?;
    let mut shortfalls = Vec::new();
    let mut changes = Vec::new();
    for (&product_id, &requested) in &wanted {
        let row = rows.iter().find(|r| r.product_id == product_id);
        let available = row.map_or(0, |r| r.level().available());
        let on_sale = sellable
            .iter()
            .any(|s| s.product_id == product_id && s.sellable);
        match row.map(|r| (r, r.level().reserve(requested))) {
            Some((row, Ok(after))) if on_sale => changes.push((*row, after)),
            _ => {
                if !on_sale {
                    reason = reason.or(Some("a product is no longer sold"));
                }
                reason = reason.or(Some("insufficient stock"));
            }
        }
        shortfalls.push(LineShortfall {
            product_id,
            requested,
            available: if on_sale { available } else { 0 },
        });
    }
    if let Some(reason) = reason {
        let event = InventoryRejected {
            order_id: order.order_id,
            store_id: order.store_id,
            reason: reason.to_string(),
            lines: shortfalls,
        };
        outbox
            .enqueue(&mut *conn, INVENTORY_REJECTED, &event)
            .await?;
        return Ok(());
    }
    for (row, after) in &changes {
        write(conn, outbox, row, *after).await?;
        store::reservations::insert(
            &mut *conn,
            &Reservation {
                order_id: order.order_id,
                product_id: row.product_id,
                store_id: order.store_id,
                quantity: after.reserved - row.reserved,
            },
        )
        .await?;
    }
    let event = InventoryReserved {
        order_id: order.order_id,
        store_id: order.store_id,
        lines: wanted
            .into_iter()
            .map(|(product_id, quantity)| ReservedLine {
                product_id,
                quantity,
            })
            .collect(),
    };
    outbox
        .enqueue(&mut *conn, INVENTORY_RESERVED, &event)
        .await?;
    Ok(())
}

/// What happens to the reservations of an order when it settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Cancelled or failed while held: the units become available again.
    Release,
    /// Paid: the held units leave the store (a `sale` movement each).
    Commit,
    /// Cancelled after payment: the sold units come back (a `return` movement each).
    Return,
}

impl Settlement {
    /// The reservation state it applies to, and the state it leaves.
    fn transition(self) -> (&'static str, &'static str) {
        match self {
            Self::Release => ("held", "released"),
            Self::Commit => ("held", "committed"),
            Self::Return => ("committed", "returned"),
        }
    }
}

/// Settles the reservations of `order` that are in the state `settlement`
/// applies to (none: nothing happens, so a redelivery or a late event is harmless).
pub async fn settle(
    conn: &mut PgConnection,
    outbox: &Outbox,
    order_id: Uuid,
    settlement: Settlement,
) -> Result<(), TxError> {
    let (from, to) = settlement.transition();
    let reservations = store::reservations::lock_in_state(&mut *conn, order_id, from).await?;
    let Some(first) = reservations.first() else {
        tracing::debug!(%order_id, ?settlement, "no reservation to settle for the order");
        return Ok(());
    };
    let store_id = first.store_id;
    let products: Vec<Uuid> = reservations.iter().map(|r| r.product_id).collect();
    let rows = stock::lock_in_store(&mut *conn, store_id, &products).await?;
    for reservation in &reservations {
        let Some(row) = rows.iter().find(|r| r.product_id == reservation.product_id) else {
            continue;
        };
        let level = row.level();
        let (after, movement) = match settlement {
            Settlement::Release => (level.release(reservation.quantity), None),
            Settlement::Commit => (
                level.commit(reservation.quantity),
                Some((MovementKind::Sale, "order")),
            ),
            Settlement::Return => (
                level.restock(reservation.quantity),
                Some((MovementKind::Return, "cancelled order")),
            ),
        };
        write(conn, outbox, row, after).await?;
        if let Some((kind, why)) = movement {
            store::movements::insert(
                &mut *conn,
                &NewMovement {
                    store_id,
                    product_id: row.product_id,
                    kind,
                    delta: after.on_hand - row.on_hand,
                    on_hand_after: after.on_hand,
                    reason: format!("{why} {order_id}"),
                    actor_id: None,
                    order_id: Some(order_id),
                    transfer_id: None,
                },
            )
            .await?;
        }
    }
    store::reservations::settle(&mut *conn, order_id, from, to).await?;
    Ok(())
}
