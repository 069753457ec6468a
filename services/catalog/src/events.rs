//! The catalog's side of the events declared in [`kit::events::schema`]: their payloads
//! built from its domain, and the consumer of `order.paid`.

use kit::events::schema::{
    CategoryEvent, ORDER_PAID, OrderPurchases, PET_UPDATED, PetBefore, PetEvent, PetStatus,
    PetUpdated, ProductBefore, ProductEvent, ProductUpdated,
};
use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use sqlx::PgConnection;

use crate::domain::category::Category;
use crate::domain::pet::Pet;
use crate::domain::product::Product;
use crate::store;

impl From<&Category> for CategoryEvent {
    fn from(c: &Category) -> Self {
        Self {
            category_id: c.id,
            name: c.name.clone(),
            slug: c.slug.clone(),
            parent_id: c.parent_id,
        }
    }
}

impl From<&Product> for ProductEvent {
    fn from(p: &Product) -> Self {
        Self {
            product_id: p.id,
            sku: p.sku.clone(),
            name: p.name.clone(),
            price: p.price.clone(),
            active: p.active,
            category_id: p.category_id,
        }
    }
}

impl From<&Pet> for PetEvent {
    fn from(p: &Pet) -> Self {
        Self {
            pet_id: p.id,
            name: p.name.clone(),
            species: p.species.clone(),
            category_id: p.category_id,
            status: p.status,
            price: p.price.clone(),
        }
    }
}

/// A payload announcing the change of a `T` from `before` to `after` (`product.updated`,
/// `pet.updated`).
pub trait Change<T> {
    /// The change from `before` to `after`.
    fn new(before: &T, after: &T) -> Self;
}

impl Change<Product> for ProductUpdated {
    fn new(before: &Product, after: &Product) -> Self {
        Self {
            current: after.into(),
            previous: ProductBefore {
                price: before.price.clone(),
                active: before.active,
            },
        }
    }
}

impl Change<Pet> for PetUpdated {
    fn new(before: &Pet, after: &Pet) -> Self {
        Self {
            current: after.into(),
            previous: PetBefore {
                status: before.status,
                price: before.price.clone(),
            },
        }
    }
}

/// The events of the catalog's queue.
pub const CONSUMED: &[&str] = &[ORDER_PAID];

/// Marks the pets of a paid order as sold and announces each with `pet.updated`.
#[derive(Debug, Clone)]
pub struct OrderPaidHandler {
    outbox: Outbox,
}

impl OrderPaidHandler {
    /// A handler writing its events through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

impl EventHandler for OrderPaidHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        let order: OrderPurchases = event.data_as()?;
        for pet_id in order.lines.iter().filter_map(|line| line.pet_id) {
            let Some(before) = store::pets::get_for_update(&mut *tx, pet_id).await? else {
                // A pet deleted after it was ordered: nothing left to mark, and retrying
                // would not bring it back.
                tracing::warn!(%pet_id, order_id = %order.order_id, "paid pet not in the catalog");
                continue;
            };
            if before.status == PetStatus::Sold {
                continue;
            }
            let mut fields = before.fields();
            fields.status = PetStatus::Sold;
            let Some(after) = store::pets::update(&mut *tx, pet_id, &fields).await? else {
                continue;
            };
            self.outbox
                .enqueue(&mut *tx, PET_UPDATED, &PetUpdated::new(&before, &after))
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
    fn the_registry_names_what_catalog_consumes() {
        kit::events::schema::assert_consumes("catalog", &[CONSUMED]);
    }
}
