//! Events the cart publishes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::OrderLine;
use crate::money::Money;

/// A user's cart was opened.
pub const CART_CREATED: &str = "cart.created";
/// A cart was checked out; the orders service creates the order from it.
pub const CART_CHECKED_OUT: &str = "cart.checked_out";

/// Payload of [`CART_CREATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartCreated {
    /// The cart.
    pub cart_id: Uuid,
    /// Its owner.
    pub user_id: Uuid,
}

/// Payload of [`CART_CHECKED_OUT`]: everything the orders service needs to create the order
/// with exactly `orderId`; also the body of the orders service's `POST /internal/checkouts`
/// (the synchronous hand-over of the same checkout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartCheckedOut {
    /// The cart (always set by the cart; a reader accepts its absence).
    #[serde(default)]
    pub cart_id: Option<Uuid>,
    /// Its owner, the customer.
    pub user_id: Uuid,
    /// The order to create, with exactly this id.
    pub order_id: Uuid,
    /// The store that fulfils it.
    pub store_id: Uuid,
    /// What was bought, at checkout prices (never pet lines).
    pub lines: Vec<OrderLine>,
    /// Σ quantity × unit price.
    pub total: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_out_is_camel_case() {
        let event = CartCheckedOut {
            cart_id: Some(Uuid::nil()),
            user_id: Uuid::nil(),
            order_id: Uuid::nil(),
            store_id: Uuid::nil(),
            lines: vec![OrderLine {
                product_id: Uuid::nil(),
                pet_id: None,
                sku: "S".into(),
                name: "N".into(),
                quantity: 2,
                unit_price: Money::new(5, "EUR"),
            }],
            total: Money::new(10, "EUR"),
        };
        let json = serde_json::to_value(&event).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            ["cartId", "lines", "orderId", "storeId", "total", "userId"]
        );
        assert_eq!(json["lines"][0]["unitPrice"]["amount"], 5);
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
}
