//! The inventory's consumers of the events declared in [`kit::events::schema`]: the order
//! saga's and the catalog's product events, read tolerantly (unknown fields are ignored,
//! optional ones may be missing). What the inventory publishes is written by
//! [`crate::ledger`].

use kit::events::schema::{
    ORDER_CANCELLED, ORDER_CREATED, ORDER_FAILED, ORDER_PAID, OrderRef, OrderStock,
    PRODUCT_CREATED, PRODUCT_DELETED, PRODUCT_UPDATED, ProductFields,
};
use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use sqlx::PgConnection;

use crate::ledger::{self, Settlement};
use crate::store::products::{self, ProductInfo};

/// The order events of the `inventory.orders` queue: `order.created` reserves its lines,
/// `order.cancelled` and `order.failed` release them, `order.paid` sells them.
pub const ORDER_EVENTS: &[&str] = &[ORDER_CREATED, ORDER_CANCELLED, ORDER_FAILED, ORDER_PAID];

/// The product events of the `inventory.products` queue, which keep the projection of the
/// catalog's products (a deleted product is no longer sold).
pub const PRODUCT_EVENTS: &[&str] = &[PRODUCT_CREATED, PRODUCT_UPDATED, PRODUCT_DELETED];

impl From<ProductFields> for ProductInfo {
    fn from(p: ProductFields) -> Self {
        Self {
            product_id: p.product_id,
            sku: p.sku,
            name: p.name,
            category_id: p.category_id,
            active: p.active,
        }
    }
}

/// Consumes the order saga's events: reserve, release, commit.
#[derive(Debug, Clone)]
pub struct OrderHandler {
    outbox: Outbox,
}

impl OrderHandler {
    /// A handler writing its events through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

impl EventHandler for OrderHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            ORDER_CREATED => {
                let order: OrderStock = event.data_as()?;
                ledger::reserve(tx, &self.outbox, &order).await?;
            }
            ORDER_FAILED => {
                let order: OrderRef = event.data_as()?;
                ledger::settle(tx, &self.outbox, order.order_id, Settlement::Release).await?;
            }
            ORDER_CANCELLED => {
                // Held units are released; units already sold (a paid order) come back.
                let order: OrderRef = event.data_as()?;
                ledger::settle(tx, &self.outbox, order.order_id, Settlement::Release).await?;
                ledger::settle(tx, &self.outbox, order.order_id, Settlement::Return).await?;
            }
            ORDER_PAID => {
                let order: OrderRef = event.data_as()?;
                ledger::settle(tx, &self.outbox, order.order_id, Settlement::Commit).await?;
            }
            other => tracing::debug!(event_type = other, "ignoring an unexpected event"),
        }
        Ok(())
    }
}

/// Keeps the local projection of the catalog's products.
#[derive(Debug, Clone, Copy)]
pub struct ProductHandler;

impl EventHandler for ProductHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            PRODUCT_CREATED | PRODUCT_UPDATED => {
                let product: ProductFields = event.data_as()?;
                products::upsert(tx, &product.into()).await?;
            }
            PRODUCT_DELETED => {
                let product: ProductFields = event.data_as()?;
                products::mark_deleted(tx, &product.into()).await?;
            }
            other => tracing::debug!(event_type = other, "ignoring an unexpected event"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_names_what_inventory_consumes() {
        kit::events::schema::assert_consumes("inventory", &[ORDER_EVENTS, PRODUCT_EVENTS]);
    }
}
