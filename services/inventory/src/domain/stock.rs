//! Stock of one product in one store, and the arithmetic of every change to it.
//!
//! The arithmetic is pure: the ledger locks the row, asks these functions for the new
//! level, and writes it. A refused change names the quantity that was available.

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::pagination::ListParams;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{MAX_QUANTITY, check_reason};

/// Quantities of a stock row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Level {
    /// Units physically in the store.
    pub on_hand: i64,
    /// Units of `on_hand` held for orders.
    pub reserved: i64,
    /// The minimum the store wants available.
    pub min_stock: i64,
}

/// A change that would take more than is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("insufficient stock: {available} available")]
pub struct Insufficient {
    /// Units that were available (on hand minus reserved).
    pub available: i64,
}

/// A change that would put more on hand than [`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("on hand would exceed {MAX_QUANTITY}: room for {room} more")]
pub struct OverCap {
    /// Units that could still be added.
    pub room: i64,
}

impl Level {
    /// `n` units arrive through a request (adjustment, transfer): refused if on hand would
    /// pass [`MAX_QUANTITY`], the cap each request is checked against, so that many
    /// requests together cannot pass it either.
    pub fn receive(self, n: i64) -> Result<Self, OverCap> {
        let room = (MAX_QUANTITY - self.on_hand).max(0);
        if n > room {
            return Err(OverCap { room });
        }
        Ok(self.put(n))
    }

    /// Units that may be sold, moved or removed: on hand minus reserved.
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// Whether fewer units are available than the minimum.
    pub fn is_below_minimum(&self) -> bool {
        self.available() < self.min_stock
    }

    fn check(&self, n: i64) -> Result<(), Insufficient> {
        if n <= self.available() {
            Ok(())
        } else {
            Err(Insufficient {
                available: self.available(),
            })
        }
    }

    /// `n` units leave (transfer out): only available units may.
    pub fn take(self, n: i64) -> Result<Self, Insufficient> {
        self.check(n)?;
        Ok(Self {
            on_hand: self.on_hand - n,
            ..self
        })
    }

    /// `n` units arrive back from an order (a release or a return): never refused, since
    /// they were on hand before.
    pub fn put(self, n: i64) -> Self {
        Self {
            on_hand: self.on_hand.saturating_add(n),
            ..self
        }
    }

    /// On hand changes by `delta`; reserved units can never be removed.
    pub fn adjust(self, delta: i64) -> Result<Self, Insufficient> {
        if delta < 0 {
            self.take(-delta)
        } else {
            Ok(self.put(delta))
        }
    }

    /// On hand becomes `on_hand`; it may not drop below what is reserved.
    pub fn set_on_hand(self, on_hand: i64) -> Result<Self, Insufficient> {
        if on_hand < self.reserved {
            return Err(Insufficient {
                available: self.available(),
            });
        }
        Ok(Self { on_hand, ..self })
    }

    /// `n` available units are held for an order.
    pub fn reserve(self, n: i64) -> Result<Self, Insufficient> {
        self.check(n)?;
        Ok(Self {
            reserved: self.reserved + n,
            ..self
        })
    }

    /// `n` held units go back to available (never more than are held).
    pub fn release(self, n: i64) -> Self {
        Self {
            reserved: self.reserved - n.min(self.reserved),
            ..self
        }
    }

    /// `n` sold units come back on hand (a paid order was cancelled).
    pub fn restock(self, n: i64) -> Self {
        Self {
            on_hand: self.on_hand + n,
            ..self
        }
    }

    /// `n` held units are sold: they leave both reserved and on hand.
    pub fn commit(self, n: i64) -> Self {
        let n = n.min(self.reserved);
        Self {
            on_hand: self.on_hand - n,
            reserved: self.reserved - n,
            ..self
        }
    }
}

/// One product's stock in one store, with what inventory knows of the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockItem {
    /// The store.
    pub store_id: Uuid,
    /// The product.
    pub product_id: Uuid,
    /// The product's SKU, if the catalog has announced it.
    pub sku: Option<String>,
    /// The product's name, if the catalog has announced it.
    pub name: Option<String>,
    /// The product's category, if known.
    pub category_id: Option<Uuid>,
    /// Whether the product is still sold (false once inactive or deleted in the catalog).
    pub product_active: bool,
    /// Units in the store.
    pub on_hand: i64,
    /// Units held for orders.
    pub reserved: i64,
    /// On hand minus reserved.
    pub available: i64,
    /// The minimum the store wants available.
    pub min_stock: i64,
    /// Whether available is below the minimum.
    pub below_minimum: bool,
    /// When the stock last changed.
    pub updated_at: DateTime<Utc>,
}

/// Body of `PUT /api/stores/{id}/inventory/{productId}`: set on hand and/or the minimum.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetStock {
    /// New on-hand quantity, 0 to 1 000 000 000, not below what is reserved.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000000)]
    pub on_hand: Option<i64>,
    /// New minimum, 0 to 1 000 000 000.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000000)]
    pub min_stock: Option<i64>,
    /// Why (counted, received delivery, ...), 1–500 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 500)]
    pub reason: String,
}

impl SetStock {
    /// Checks the fields, naming each bad one.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut v = Validator::new();
        if let Some(on_hand) = self.on_hand {
            v.range("onHand", on_hand, 0, MAX_QUANTITY);
        }
        if let Some(min_stock) = self.min_stock {
            v.range("minStock", min_stock, 0, MAX_QUANTITY);
        }
        v.check(
            "onHand",
            self.on_hand.is_some() || self.min_stock.is_some(),
            "onHand or minStock is required",
        );
        check_reason(&mut v, &self.reason);
        v.finish()
    }
}

/// Body of `POST /api/stores/{id}/inventory/{productId}/adjustments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Adjustment {
    /// Units added (positive) or removed (negative), not zero; at most 1 000 000 000 either
    /// way, and on hand never passes 1 000 000 000 (409 naming `delta` if it would).
    #[schema(minimum = -1000000000, maximum = 1000000000)]
    pub delta: i64,
    /// Why (damaged, found, shrinkage, ...), 1–500 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 500)]
    pub reason: String,
}

impl Adjustment {
    /// Checks the fields, naming each bad one.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut v = Validator::new();
        v.range("delta", self.delta, -MAX_QUANTITY, MAX_QUANTITY)
            .check("delta", self.delta != 0, "must not be zero");
        check_reason(&mut v, &self.reason);
        v.finish()
    }
}

/// Query of `GET /api/stores/{id}/inventory`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InventoryListParams {
    /// Only products of this category.
    pub category_id: Option<Uuid>,
    /// Only items whose available quantity is below their minimum (`true`) or not (`false`).
    pub below_minimum: Option<bool>,
    /// Case-insensitive text searched in the product's name and SKU.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

/// A validated inventory list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryQuery {
    /// Category.
    pub category_id: Option<Uuid>,
    /// Below-minimum filter.
    pub below_minimum: Option<bool>,
    /// Search text.
    pub q: Option<String>,
}

impl ListParams for InventoryListParams {
    type Query = InventoryQuery;

    fn filters(&self, v: &mut Validator) -> InventoryQuery {
        InventoryQuery {
            category_id: self.category_id,
            below_minimum: self.below_minimum,
            q: v.search("q", self.q.as_deref()),
        }
    }
}

/// Query of `GET /api/inventory/alerts`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AlertListParams {
    /// Only this store.
    pub store_id: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Level = Level {
        on_hand: 10,
        reserved: 4,
        min_stock: 3,
    };

    #[test]
    fn only_available_units_leave() {
        assert_eq!(L.take(6).unwrap().on_hand, 4);
        assert_eq!(L.take(7), Err(Insufficient { available: 6 }));
        assert_eq!(L.adjust(-7), Err(Insufficient { available: 6 }));
        assert_eq!(L.adjust(5).unwrap().on_hand, 15);
        assert_eq!(L.set_on_hand(3), Err(Insufficient { available: 6 }));
        assert_eq!(L.set_on_hand(4).unwrap().available(), 0);
    }

    #[test]
    fn requests_never_push_on_hand_past_the_cap() {
        assert_eq!(L.receive(MAX_QUANTITY - 10).unwrap().on_hand, MAX_QUANTITY);
        assert_eq!(
            L.receive(MAX_QUANTITY - 9),
            Err(OverCap {
                room: MAX_QUANTITY - 10
            })
        );
        let full = L.receive(MAX_QUANTITY - 10).unwrap();
        assert_eq!(full.receive(1), Err(OverCap { room: 0 }));
    }

    #[test]
    fn reservations_hold_release_and_commit() {
        let held = L.reserve(6).unwrap();
        assert_eq!((held.on_hand, held.reserved), (10, 10));
        assert_eq!(held.reserve(1), Err(Insufficient { available: 0 }));
        assert_eq!(held.release(6), L);
        assert_eq!(L.release(100).reserved, 0);
        let sold = held.commit(6);
        assert_eq!((sold.on_hand, sold.reserved), (4, 4));
    }

    #[test]
    fn below_minimum_compares_available() {
        assert!(!L.is_below_minimum());
        assert!(L.take(4).unwrap().is_below_minimum());
    }

    #[test]
    fn set_stock_needs_something_to_set() {
        let body = SetStock {
            on_hand: None,
            min_stock: None,
            reason: String::new(),
        };
        let fields = body.validate().unwrap_err().invalid_fields();
        assert_eq!(fields, ["onHand", "reason"]);
    }
}
