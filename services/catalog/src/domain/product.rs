//! Products: things the store sells by SKU.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::pagination::ListParams;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{Money, Sort};

/// Longest SKU.
pub const SKU_MAX: usize = 64;
/// Longest product name.
pub const NAME_MAX: usize = 200;
/// Longest description.
pub const DESCRIPTION_MAX: usize = 5000;
/// Most attributes a product may have.
pub const ATTRIBUTES_MAX: usize = 50;
/// Longest attribute key.
pub const ATTRIBUTE_KEY_MAX: usize = 64;
/// Longest attribute value.
pub const ATTRIBUTE_VALUE_MAX: usize = 500;

/// A product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Id.
    pub id: Uuid,
    /// Stock-keeping unit, unique.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// The product's category.
    pub category_id: Uuid,
    /// Unit price.
    pub price: Money,
    /// Free-form stock-keeping attributes (colour, size, ...).
    pub attributes: BTreeMap<String, String>,
    /// Shipping weight in grams, if known.
    pub weight_grams: Option<i64>,
    /// Whether the product is on sale.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Every writable field of a product, as stored; create and patch both end here and are
/// validated the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFields {
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category_id: Uuid,
    /// Price.
    pub price: Money,
    /// Attributes.
    pub attributes: BTreeMap<String, String>,
    /// Weight in grams.
    pub weight_grams: Option<i64>,
    /// On sale.
    pub active: bool,
}

/// Body of `POST /api/products`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProduct {
    /// Unique SKU: 1–64 of letters, digits, `.`, `_` and `-`.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,64}$")]
    pub sku: String,
    /// Name, 1–200 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 200)]
    pub name: String,
    /// Description, at most 5000 characters.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: String,
    /// Category, which must exist.
    pub category_id: Uuid,
    /// Unit price.
    pub price: Money,
    /// Up to 50 attributes; keys 1–64, values at most 500 characters.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Weight in grams, at least 0.
    #[serde(default)]
    pub weight_grams: Option<i64>,
    /// On sale (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Body of `PATCH /api/products/{id}`: only the given fields change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductPatch {
    /// New SKU.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9._-]{1,64}$")]
    pub sku: Option<String>,
    /// New name.
    #[serde(default)]
    #[schema(min_length = 1, pattern = "\\S", max_length = 200)]
    pub name: Option<String>,
    /// New description.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// New category.
    #[serde(default)]
    pub category_id: Option<Uuid>,
    /// New price.
    #[serde(default)]
    pub price: Option<Money>,
    /// New attributes (replace the old ones).
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
    /// New weight; `null` clears it.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i64>, nullable)]
    pub weight_grams: Option<Option<i64>>,
    /// New on-sale flag.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Query of `GET /api/products`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ProductListParams {
    /// Only products of this category or of any category below it.
    pub category_id: Option<Uuid>,
    /// Lowest price (minor units, inclusive).
    #[param(minimum = 0)]
    pub min_price: Option<i64>,
    /// Highest price (minor units, inclusive).
    #[param(minimum = 0)]
    pub max_price: Option<i64>,
    /// Only prices in this currency.
    pub currency: Option<String>,
    /// Only active (`true`) or inactive (`false`) products.
    pub active: Option<bool>,
    /// Case-insensitive text searched in name, description and SKU.
    pub q: Option<String>,
    /// `name`, `-name`, `price`, `-price`, `createdAt` or `-createdAt` (default).
    #[param(inline)]
    pub sort: Option<Sort>,
}

/// A validated product list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    /// Category subtree.
    pub category_id: Option<Uuid>,
    /// Lowest price.
    pub min_price: Option<i64>,
    /// Highest price.
    pub max_price: Option<i64>,
    /// Currency.
    pub currency: Option<String>,
    /// Active flag.
    pub active: Option<bool>,
    /// Search text.
    pub q: Option<String>,
    /// Order.
    pub sort: Sort,
}

impl ListParams for ProductListParams {
    type Query = ProductQuery;

    fn filters(&self, v: &mut Validator) -> ProductQuery {
        super::validate_price_range(self.min_price, self.max_price, v);
        if let Some(currency) = &self.currency {
            v.currency("currency", currency);
        }
        ProductQuery {
            category_id: self.category_id,
            min_price: self.min_price,
            max_price: self.max_price,
            currency: self.currency.clone(),
            active: self.active,
            q: v.search("q", self.q.as_deref()),
            sort: self.sort.unwrap_or_default(),
        }
    }
}

/// Whether `sku` is 1–64 ASCII letters, digits, `.`, `_` or `-`.
pub fn is_sku(sku: &str) -> bool {
    !sku.is_empty()
        && sku.len() <= SKU_MAX
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl ProductFields {
    /// The same fields with surrounding blanks trimmed from the name, so that a PATCH
    /// resending a name with stray spaces is no change.
    pub fn normalized(mut self) -> Self {
        self.name = self.name.trim().to_string();
        self
    }

    /// Checks every field, naming each bad one.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut v = Validator::new();
        v.check(
            "sku",
            is_sku(&self.sku),
            "must be 1–64 characters of letters, digits, '.', '_' and '-'",
        )
        .text("name", &self.name, 1, NAME_MAX)
        .check(
            "description",
            self.description.chars().count() <= DESCRIPTION_MAX,
            format!("must be at most {DESCRIPTION_MAX} characters"),
        );
        self.price.validate("price", &mut v);
        v.check(
            "attributes",
            self.attributes.len() <= ATTRIBUTES_MAX,
            format!("must have at most {ATTRIBUTES_MAX} entries"),
        );
        for (key, value) in &self.attributes {
            let field = format!("attributes.{key}");
            let key_len = key.chars().count();
            v.check(
                &field,
                (1..=ATTRIBUTE_KEY_MAX).contains(&key_len),
                format!("keys must be 1–{ATTRIBUTE_KEY_MAX} characters"),
            )
            .check(
                &field,
                value.chars().count() <= ATTRIBUTE_VALUE_MAX,
                format!("values must be at most {ATTRIBUTE_VALUE_MAX} characters"),
            );
        }
        if let Some(weight) = self.weight_grams {
            v.check("weightGrams", weight >= 0, "must not be negative");
        }
        v.finish()
    }
}

impl From<NewProduct> for ProductFields {
    fn from(new: NewProduct) -> Self {
        Self {
            sku: new.sku,
            name: new.name,
            description: new.description,
            category_id: new.category_id,
            price: new.price,
            attributes: new.attributes,
            weight_grams: new.weight_grams,
            active: new.active,
        }
    }
}

impl ProductPatch {
    /// `current` with the patch's fields applied.
    pub fn apply(self, current: &ProductFields) -> ProductFields {
        let current = current.clone();
        ProductFields {
            sku: self.sku.unwrap_or(current.sku),
            name: self.name.unwrap_or(current.name),
            description: self.description.unwrap_or(current.description),
            category_id: self.category_id.unwrap_or(current.category_id),
            price: self.price.unwrap_or(current.price),
            attributes: self.attributes.unwrap_or(current.attributes),
            weight_grams: self.weight_grams.unwrap_or(current.weight_grams),
            active: self.active.unwrap_or(current.active),
        }
    }
}

impl Product {
    /// The writable fields of this product.
    pub fn fields(&self) -> ProductFields {
        ProductFields {
            sku: self.sku.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            category_id: self.category_id,
            price: self.price.clone(),
            attributes: self.attributes.clone(),
            weight_grams: self.weight_grams,
            active: self.active,
        }
    }
}

#[cfg(test)]
mod tests {
    use kit::pagination::PageParams;

    use super::*;

    fn fields() -> ProductFields {
        ProductFields {
            sku: "DOG-FOOD-1".into(),
            name: "Dog food".into(),
            description: String::new(),
            category_id: Uuid::new_v4(),
            price: Money {
                amount: 1299,
                currency: "EUR".into(),
            },
            attributes: BTreeMap::new(),
            weight_grams: Some(1000),
            active: true,
        }
    }

    fn bad_fields(f: &ProductFields) -> Vec<String> {
        f.validate()
            .err()
            .map(|e| e.invalid_fields())
            .unwrap_or_default()
    }

    #[test]
    fn good_product_passes() {
        assert!(fields().validate().is_ok());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut f = fields();
        f.sku = "has space".into();
        f.name = "x".repeat(201);
        f.description = "d".repeat(5001);
        f.price.amount = -1;
        f.price.currency = "euro".into();
        f.attributes.insert("k".repeat(65), "v".into());
        f.attributes.insert("long".into(), "v".repeat(501));
        f.weight_grams = Some(-5);
        let key = format!("attributes.{}", "k".repeat(65));
        assert_eq!(
            bad_fields(&f),
            [
                "sku",
                "name",
                "description",
                "price.amount",
                "price.currency",
                key.as_str(),
                "attributes.long",
                "weightGrams"
            ]
        );
    }

    #[test]
    fn too_many_attributes() {
        let mut f = fields();
        f.attributes = (0..51).map(|i| (format!("k{i}"), "v".into())).collect();
        assert_eq!(bad_fields(&f), ["attributes"]);
    }

    #[test]
    fn patch_changes_only_given_fields() {
        let current = fields();
        let patch: ProductPatch =
            serde_json::from_str(r#"{"name": "Cat food", "weightGrams": null}"#).unwrap();
        let next = patch.apply(&current);
        assert_eq!(next.name, "Cat food");
        assert_eq!(next.weight_grams, None);
        assert_eq!(next.sku, current.sku);
        assert_eq!(next.price, current.price);
    }

    #[test]
    fn new_product_defaults_to_active() {
        let new: NewProduct = serde_json::from_value(serde_json::json!({
            "sku": "A", "name": "A", "categoryId": Uuid::new_v4(),
            "price": {"amount": 1, "currency": "EUR"}
        }))
        .unwrap();
        assert!(new.active);
        assert!(new.attributes.is_empty());
    }

    #[test]
    fn list_params_are_checked() {
        let params = ProductListParams {
            min_price: Some(10),
            max_price: Some(1),
            currency: Some("eur".into()),
            ..ProductListParams::default()
        };
        let page = PageParams {
            limit: Some(101),
            ..PageParams::default()
        };
        let fields = params.validate(&page).unwrap_err().invalid_fields();
        assert_eq!(fields, ["limit", "minPrice", "currency"]);
    }
}
