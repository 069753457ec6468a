//! Events the cart publishes (through the outbox) and the ones it consumes.

use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use kit::money::Money;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::checkout::OrderLine;
use crate::store;
use crate::store::items::Captured;

/// A user's cart was opened.
pub const CART_CREATED: &str = "cart.created";
/// A cart was checked out; the orders service creates the order from it.
pub const CART_CHECKED_OUT: &str = "cart.checked_out";
/// A product changed (consumed: its price and availability are refreshed in open carts).
pub const PRODUCT_UPDATED: &str = "product.updated";
/// A product was deleted (consumed: it is flagged unavailable in open carts).
pub const PRODUCT_DELETED: &str = "product.deleted";
/// A user registered (consumed: their empty cart is opened).
pub const USER_REGISTERED: &str = "user.registered";

/// Payload of `cart.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartCreated {
    /// The cart.
    pub cart_id: Uuid,
    /// Its owner.
    pub user_id: Uuid,
}

/// Payload of `cart.checked_out`: everything the orders service needs to create the order
/// with exactly `orderId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartCheckedOut {
    /// The cart.
    pub cart_id: Uuid,
    /// Its owner, the customer.
    pub user_id: Uuid,
    /// The order to create.
    pub order_id: Uuid,
    /// The store that fulfils it.
    pub store_id: Uuid,
    /// What was bought, at checkout prices.
    pub lines: Vec<OrderLine>,
    /// Sum of the lines.
    pub total: Money,
}

/// Writes `cart.created` for a just-opened cart.
pub async fn cart_created(
    outbox: &Outbox,
    tx: &mut PgConnection,
    cart_id: Uuid,
    user_id: Uuid,
) -> Result<Uuid, kit::events::EventError> {
    outbox
        .enqueue(tx, CART_CREATED, &CartCreated { cart_id, user_id })
        .await
}

/// The part of `product.updated` / `product.deleted` the cart reads (tolerant reader).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductChanged {
    /// The product.
    pub product_id: Uuid,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// Its current price.
    pub price: Money,
    /// Whether it is on sale.
    pub active: bool,
}

/// The part of `product.deleted` the cart reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRef {
    /// The product.
    pub product_id: Uuid,
}

/// Keeps open carts in step with the catalog: `product.updated` refreshes the captured
/// price, SKU, name and availability; `product.deleted` flags the item unavailable (it
/// stays in the cart, shown, until the customer removes it).
#[derive(Debug, Clone, Copy)]
pub struct ProductsHandler;

impl EventHandler for ProductsHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            PRODUCT_UPDATED => {
                let product: ProductChanged = event.data_as()?;
                let price = product.price.clone();
                let captured = Captured {
                    product_id: product.product_id,
                    sku: &product.sku,
                    name: &product.name,
                    unit_price: &price,
                };
                let changed =
                    store::items::refresh_product(&mut *tx, &captured, product.active).await?;
                tracing::debug!(product_id = %product.product_id, changed, "product refreshed");
            }
            PRODUCT_DELETED => {
                let product: ProductRef = event.data_as()?;
                let changed = store::items::mark_unavailable(&mut *tx, product.product_id).await?;
                tracing::debug!(product_id = %product.product_id, changed, "product gone");
            }
            other => tracing::debug!(event_type = other, "not a product event; ignored"),
        }
        Ok(())
    }
}

/// The part of `user.registered` the cart reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRegistered {
    /// The new user.
    pub user_id: Uuid,
}

/// Opens a new user's (empty) cart right away, announcing it with `cart.created`.
#[derive(Debug, Clone)]
pub struct UserRegisteredHandler {
    outbox: Outbox,
}

impl UserRegisteredHandler {
    /// A handler writing its events through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

impl EventHandler for UserRegisteredHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        let user: UserRegistered = event.data_as()?;
        let (cart, created) = store::carts::open_or_create(&mut *tx, user.user_id).await?;
        if created {
            cart_created(&self.outbox, &mut *tx, cart.id, user.user_id)
                .await
                .map_err(HandlerError::transient)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_events_are_read_tolerantly() {
        let product: ProductChanged = serde_json::from_value(serde_json::json!({
            "productId": Uuid::nil(), "sku": "A", "name": "A", "categoryId": Uuid::nil(),
            "price": {"amount": 5, "currency": "EUR", "extra": true}, "active": false,
            "previous": {"price": {"amount": 4, "currency": "EUR"}, "active": true}
        }))
        .unwrap();
        assert_eq!(product.price.amount, 5);
        assert!(!product.active);
    }

    #[test]
    fn checked_out_is_camel_case() {
        let event = CartCheckedOut {
            cart_id: Uuid::nil(),
            user_id: Uuid::nil(),
            order_id: Uuid::nil(),
            store_id: Uuid::nil(),
            lines: vec![OrderLine {
                product_id: Uuid::nil(),
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
}
