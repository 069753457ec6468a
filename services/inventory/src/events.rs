//! Events the inventory consumes (the order saga's and the catalog's product events) and
//! publishes (through the outbox), with their payloads.
//!
//! Consumed payloads are read tolerantly: unknown fields are ignored, optional ones may be
//! missing.

use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ledger::{self, Settlement};
use crate::store::products::{self, ProductInfo};

/// An order was placed (consumed: reserve its lines).
pub const ORDER_CREATED: &str = "order.created";
/// An order was cancelled (consumed: release its reservations).
pub const ORDER_CANCELLED: &str = "order.cancelled";
/// An order failed (consumed: release its reservations).
pub const ORDER_FAILED: &str = "order.failed";
/// An order was paid (consumed: its reserved units are sold).
pub const ORDER_PAID: &str = "order.paid";
/// The order events of the `inventory.orders` queue.
pub const ORDER_EVENTS: &[&str] = &[ORDER_CREATED, ORDER_CANCELLED, ORDER_FAILED, ORDER_PAID];

/// A product was created in the catalog (consumed: projection).
pub const PRODUCT_CREATED: &str = "product.created";
/// A product changed in the catalog (consumed: projection).
pub const PRODUCT_UPDATED: &str = "product.updated";
/// A product was deleted from the catalog (consumed: it is no longer sold).
pub const PRODUCT_DELETED: &str = "product.deleted";
/// The product events of the `inventory.products` queue.
pub const PRODUCT_EVENTS: &[&str] = &[PRODUCT_CREATED, PRODUCT_UPDATED, PRODUCT_DELETED];

/// Every line of an order was reserved (published).
pub const INVENTORY_RESERVED: &str = "inventory.reserved";
/// An order could not be reserved; nothing was (published).
pub const INVENTORY_REJECTED: &str = "inventory.rejected";
/// An item's available quantity crossed below its minimum (published).
pub const INVENTORY_LOW_STOCK: &str = "inventory.low_stock";

/// Payload of `order.created`, as the inventory reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCreated {
    /// The order.
    pub order_id: Uuid,
    /// Who placed it (not used by the inventory).
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// The store whose stock serves it.
    pub store_id: Uuid,
    /// What to reserve.
    #[serde(default)]
    pub lines: Vec<OrderLine>,
}

/// One line of `order.created`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// The product; absent on a pet line (pets are not stocked per store, so the inventory
    /// skips such lines).
    #[serde(default)]
    pub product_id: Option<Uuid>,
    /// Units (a product line without one is invalid and rejects the order).
    #[serde(default)]
    pub quantity: i64,
}

/// The part of `order.cancelled`, `order.failed` and `order.paid` the inventory reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRef {
    /// The order.
    pub order_id: Uuid,
}

/// Payload of `inventory.reserved`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reserved {
    /// The order.
    pub order_id: Uuid,
    /// The store holding the units.
    pub store_id: Uuid,
    /// Units held per product (lines of one product merged).
    pub lines: Vec<ReservedLine>,
}

/// A line of `inventory.reserved`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservedLine {
    /// The product.
    pub product_id: Uuid,
    /// Units held.
    pub quantity: i64,
}

/// Payload of `inventory.rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    /// The order.
    pub order_id: Uuid,
    /// Its store.
    pub store_id: Uuid,
    /// Why, for humans.
    pub reason: String,
    /// Every line (merged per product) with what was available.
    pub lines: Vec<LineShortfall>,
}

/// A line of `inventory.rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineShortfall {
    /// The product.
    pub product_id: Uuid,
    /// Units asked for.
    pub requested: i64,
    /// Units available (0 for a product no longer sold).
    pub available: i64,
}

/// Payload of `inventory.low_stock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LowStock {
    /// The store.
    pub store_id: Uuid,
    /// The product.
    pub product_id: Uuid,
    /// Units on hand.
    pub on_hand: i64,
    /// Units reserved.
    pub reserved: i64,
    /// On hand minus reserved, now below the minimum.
    pub available: i64,
    /// The minimum.
    pub min_stock: i64,
}

/// Payload of `product.created`, `product.updated` and `product.deleted`, as the inventory
/// reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductEvent {
    /// The product.
    pub product_id: Uuid,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Category.
    #[serde(default)]
    pub category_id: Option<Uuid>,
    /// On sale.
    #[serde(default)]
    pub active: Option<bool>,
}

impl From<ProductEvent> for ProductInfo {
    fn from(p: ProductEvent) -> Self {
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
                let order: OrderCreated = event.data_as()?;
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
                let product: ProductEvent = event.data_as()?;
                products::upsert(tx, &product.into()).await?;
            }
            PRODUCT_DELETED => {
                let product: ProductEvent = event.data_as()?;
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
    use serde_json::json;

    #[test]
    fn order_created_is_read_tolerantly() {
        let order: OrderCreated = serde_json::from_value(json!({
            "orderId": Uuid::nil(),
            "storeId": Uuid::nil(),
            "lines": [{ "productId": Uuid::nil(), "quantity": 2, "unitPrice": 100 }],
            "total": { "amount": 200, "currency": "EUR" },
        }))
        .unwrap();
        assert_eq!(order.lines[0].quantity, 2);
        let pets: OrderCreated = serde_json::from_value(json!({
            "orderId": Uuid::nil(),
            "storeId": Uuid::nil(),
            "lines": [{ "petId": Uuid::nil(), "quantity": 1 }],
        }))
        .unwrap();
        assert!(pets.lines[0].product_id.is_none());
        assert!(order.user_id.is_none());
        assert!(serde_json::from_value::<OrderCreated>(json!({ "orderId": Uuid::nil() })).is_err());
    }

    #[test]
    fn product_events_need_only_the_id() {
        let product: ProductEvent = serde_json::from_value(json!({
            "productId": Uuid::nil(),
            "price": { "amount": 1, "currency": "EUR" },
            "previous": {},
        }))
        .unwrap();
        assert!(product.sku.is_none() && product.active.is_none());
    }

    #[test]
    fn published_payloads_are_camel_case() {
        let event = LowStock {
            store_id: Uuid::nil(),
            product_id: Uuid::nil(),
            on_hand: 3,
            reserved: 1,
            available: 2,
            min_stock: 5,
        };
        let json = serde_json::to_value(event).unwrap();
        assert_eq!(json["minStock"], 5);
        assert_eq!(json["onHand"], 3);
    }
}
