//! Events the catalog publishes, and the parts of them other services read.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::money::Money;

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

/// Payload of [`CATEGORY_CREATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Payload of [`PRODUCT_CREATED`] and [`PRODUCT_DELETED`], and the current state in
/// [`PRODUCT_UPDATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// What a product was before a [`PRODUCT_UPDATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductBefore {
    /// Previous price.
    pub price: Money,
    /// Previous on-sale flag.
    pub active: bool,
}

/// Payload of [`PRODUCT_UPDATED`]: the current state and the previous price and flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductUpdated {
    /// Current state.
    #[serde(flatten)]
    pub current: ProductEvent,
    /// State before the change.
    pub previous: ProductBefore,
}

/// Where a pet is in its sale.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum PetStatus {
    /// For sale.
    #[default]
    Available,
    /// Reserved by an order not yet paid.
    Pending,
    /// Paid for.
    Sold,
}

/// Payload of [`PET_CREATED`] and [`PET_DELETED`], and the current state in
/// [`PET_UPDATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// What a pet was before a [`PET_UPDATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PetBefore {
    /// Previous status.
    pub status: PetStatus,
    /// Previous price.
    pub price: Money,
}

/// Payload of [`PET_UPDATED`]: the current state and the previous status and price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PetUpdated {
    /// Current state.
    #[serde(flatten)]
    pub current: PetEvent,
    /// State before the change.
    pub previous: PetBefore,
}

/// The part of any product event that names the product, for consumers that need nothing
/// else (a deleted product, in the cart and the reviews).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRef {
    /// The product.
    pub product_id: Uuid,
}

/// The product events as the inventory's projection reads them: only the id is required,
/// and a field that is absent leaves the projected value as it was.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductFields {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn product_events_are_read_tolerantly() {
        let product: ProductUpdated = serde_json::from_value(json!({
            "productId": Uuid::nil(), "sku": "A", "name": "A", "categoryId": Uuid::nil(),
            "price": {"amount": 5, "currency": "EUR", "extra": true}, "active": false,
            "previous": {"price": {"amount": 4, "currency": "EUR"}, "active": true}
        }))
        .unwrap();
        assert_eq!(product.current.price.amount, 5);
        assert!(!product.current.active);
    }

    #[test]
    fn product_events_need_only_the_id() {
        let product: ProductFields = serde_json::from_value(json!({
            "productId": Uuid::nil(),
            "price": { "amount": 1, "currency": "EUR" },
            "previous": {},
        }))
        .unwrap();
        assert!(product.sku.is_none() && product.active.is_none());
    }

    #[test]
    fn what_the_catalog_publishes_every_reader_reads() {
        let updated = serde_json::to_value(ProductUpdated {
            current: ProductEvent {
                product_id: Uuid::nil(),
                sku: "A".into(),
                name: "A".into(),
                price: Money::new(5, "EUR"),
                active: true,
                category_id: Uuid::nil(),
            },
            previous: ProductBefore {
                price: Money::new(4, "EUR"),
                active: false,
            },
        })
        .unwrap();
        assert_eq!(updated["previous"]["price"]["amount"], 4);
        assert_eq!(updated["price"]["amount"], 5);
        let fields: ProductFields = serde_json::from_value(updated.clone()).unwrap();
        assert_eq!(fields.active, Some(true));
        assert_eq!(
            serde_json::from_value::<ProductRef>(updated)
                .unwrap()
                .product_id,
            Uuid::nil()
        );
        assert_eq!(serde_json::to_value(PetStatus::Sold).unwrap(), "sold");
    }
}
