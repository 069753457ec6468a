//! Events the catalog publishes (through the outbox) and the one it consumes.

use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Money;
use crate::domain::category::Category;
use crate::domain::pet::{Pet, PetStatus};
use crate::domain::product::Product;
use crate::store;

/// A category was created.
pub const CATEGORY_CREATED: &str = "category.created";
/// A product was created.
pub const PRODUCT_CREATED: &str = "product.created";
/// A product changed (price, active flag or anything else).
pub const PRODUCT_UPDATED: &str = "product.updated";
/// A product was deleted.
pub const PRODUCT_DELETED: &str = "product.deleted";
/// A pet was created.
pub const PET_CREATED: &str = "pet.created";
/// A pet changed (including being sold).
pub const PET_UPDATED: &str = "pet.updated";
/// A pet was deleted.
pub const PET_DELETED: &str = "pet.deleted";
/// An order was paid (consumed: its pets are sold).
pub const ORDER_PAID: &str = "order.paid";

/// Payload of `category.created`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryEvent {
    /// Id.
    pub category_id: Uuid,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Parent, if any.
    pub parent_id: Option<Uuid>,
}

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

/// Payload of `product.created` and `product.deleted`, and the current state in
/// `product.updated`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductEvent {
    /// Id.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Unit price.
    pub price: Money,
    /// On sale.
    pub active: bool,
    /// Category.
    pub category_id: Uuid,
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

/// What a product was before a `product.updated`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductBefore {
    /// Previous price.
    pub price: Money,
    /// Previous on-sale flag.
    pub active: bool,
}

/// Payload of `product.updated`: the current state and the previous price and flag.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductUpdated {
    /// Current state.
    #[serde(flatten)]
    pub current: ProductEvent,
    /// State before the change.
    pub previous: ProductBefore,
}

impl ProductUpdated {
    /// The change from `before` to `after`.
    pub fn new(before: &Product, after: &Product) -> Self {
        Self {
            current: after.into(),
            previous: ProductBefore {
                price: before.price.clone(),
                active: before.active,
            },
        }
    }
}

/// Payload of `pet.created` and `pet.deleted`, and the current state in `pet.updated`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PetEvent {
    /// Id.
    pub pet_id: Uuid,
    /// Name.
    pub name: String,
    /// Species.
    pub species: String,
    /// Category.
    pub category_id: Uuid,
    /// Sale status.
    pub status: PetStatus,
    /// Price.
    pub price: Money,
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

/// What a pet was before a `pet.updated`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PetBefore {
    /// Previous status.
    pub status: PetStatus,
    /// Previous price.
    pub price: Money,
}

/// Payload of `pet.updated`: the current state and the previous status and price.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PetUpdated {
    /// Current state.
    #[serde(flatten)]
    pub current: PetEvent,
    /// State before the change.
    pub previous: PetBefore,
}

impl PetUpdated {
    /// The change from `before` to `after`.
    pub fn new(before: &Pet, after: &Pet) -> Self {
        Self {
            current: after.into(),
            previous: PetBefore {
                status: before.status,
                price: before.price.clone(),
            },
        }
    }
}

/// The part of `order.paid` the catalog reads (tolerant reader: other fields are ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPaid {
    /// The order.
    pub order_id: Uuid,
    /// Its lines.
    #[serde(default)]
    pub lines: Vec<OrderPaidLine>,
}

/// One line of a paid order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPaidLine {
    /// The product bought, for product lines.
    #[serde(default)]
    pub product_id: Option<Uuid>,
    /// The pet bought, for pet lines.
    #[serde(default)]
    pub pet_id: Option<Uuid>,
    /// How many.
    #[serde(default)]
    pub quantity: Option<i64>,
}

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
        let order: OrderPaid = event.data_as()?;
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
    fn order_paid_is_read_tolerantly() {
        let order: OrderPaid = serde_json::from_value(serde_json::json!({
            "orderId": Uuid::nil(),
            "customerId": Uuid::nil(),
            "total": {"amount": 5, "currency": "EUR"},
            "lines": [
                {"productId": Uuid::nil(), "quantity": 2, "unitPrice": {"amount": 1}},
                {"petId": Uuid::nil(), "quantity": 1}
            ]
        }))
        .unwrap();
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[1].pet_id, Some(Uuid::nil()));
        assert_eq!(order.lines[0].pet_id, None);
    }
}
