//! Events the inventory publishes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every line of an order was reserved.
pub const INVENTORY_RESERVED: &str = "inventory.reserved";
/// An order could not be reserved; nothing was.
pub const INVENTORY_REJECTED: &str = "inventory.rejected";
/// An item's available quantity crossed below its minimum.
pub const INVENTORY_LOW_STOCK: &str = "inventory.low_stock";

/// Payload of [`INVENTORY_RESERVED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReserved {
    /// The order.
    pub order_id: Uuid,
    /// The store holding the units.
    pub store_id: Uuid,
    /// Units held per product (lines of one product merged).
    pub lines: Vec<ReservedLine>,
}

/// A line of [`InventoryReserved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservedLine {
    /// The product.
    pub product_id: Uuid,
    /// Units held.
    pub quantity: i64,
}

/// Payload of [`INVENTORY_REJECTED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryRejected {
    /// The order.
    pub order_id: Uuid,
    /// Its store.
    pub store_id: Uuid,
    /// Why, for humans.
    pub reason: String,
    /// Every line (merged per product) with what was available.
    pub lines: Vec<LineShortfall>,
}

/// A line of [`InventoryRejected`].
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

/// Payload of [`INVENTORY_LOW_STOCK`].
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

#[cfg(test)]
mod tests {
    use super::*;

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
