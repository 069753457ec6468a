//! The cart's side of the events declared in [`kit::events::schema`]: writing
//! `cart.created`, and the consumers of the catalog's product events and of
//! `user.registered`.

use kit::events::schema::{
    CART_CREATED, CartCreated, PRODUCT_DELETED, PRODUCT_UPDATED, ProductRef, ProductUpdated,
    USER_REGISTERED, UserRegistered,
};
use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::store;
use crate::store::items::Captured;

/// The events of the cart's products queue.
pub const PRODUCT_EVENTS: &[&str] = &[PRODUCT_UPDATED, PRODUCT_DELETED];
/// The events of the cart's users queue.
pub const USER_EVENTS: &[&str] = &[USER_REGISTERED];

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

/// Keeps open carts in step with the catalog: `product.updated` refreshes the captured
/// price, SKU, name and availability; `product.deleted` flags the item unavailable (it
/// stays in the cart, shown, until the customer removes it).
#[derive(Debug, Clone, Copy)]
pub struct ProductsHandler;

impl EventHandler for ProductsHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            PRODUCT_UPDATED => {
                let product = event.data_as::<ProductUpdated>()?.current;
                let captured = Captured {
                    product_id: product.product_id,
                    sku: &product.sku,
                    name: &product.name,
                    unit_price: &product.price,
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
    fn the_registry_names_what_cart_consumes() {
        kit::events::schema::assert_consumes("cart", &[PRODUCT_EVENTS, USER_EVENTS]);
    }
}
