//! Request and response types of the catalog, and their validation as pure functions.

pub mod category;
pub mod pet;
pub mod product;

use kit::validate::Validator;
use serde::Deserialize;
use utoipa::ToSchema;

pub use kit::money::Money;
pub use kit::patch::nullable;

/// Sort orders of the product and pet lists; `-` means descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub enum Sort {
    /// By name (case-insensitive), A to Z.
    #[serde(rename = "name")]
    NameAsc,
    /// By name, Z to A.
    #[serde(rename = "-name")]
    NameDesc,
    /// Cheapest first.
    #[serde(rename = "price")]
    PriceAsc,
    /// Dearest first.
    #[serde(rename = "-price")]
    PriceDesc,
    /// Oldest first.
    #[serde(rename = "createdAt")]
    CreatedAsc,
    /// Newest first (the default).
    #[default]
    #[serde(rename = "-createdAt")]
    CreatedDesc,
}

impl Sort {
    /// Every sort order.
    pub const ALL: [Sort; 6] = [
        Sort::NameAsc,
        Sort::NameDesc,
        Sort::PriceAsc,
        Sort::PriceDesc,
        Sort::CreatedAsc,
        Sort::CreatedDesc,
    ];
}

/// Price bounds of a list filter, checked for sign and order.
pub fn validate_price_range(min: Option<i64>, max: Option<i64>, v: &mut Validator) {
    if let Some(min) = min {
        v.check("minPrice", min >= 0, "must not be negative");
    }
    if let Some(max) = max {
        v.check("maxPrice", max >= 0, "must not be negative");
    }
    if let (Some(min), Some(max)) = (min, max) {
        v.check("minPrice", min <= max, "must not exceed maxPrice");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_range_must_be_ordered() {
        let mut v = Validator::new();
        validate_price_range(Some(10), Some(5), &mut v);
        assert_eq!(v.finish().unwrap_err().invalid_fields(), ["minPrice"]);
        validate_price_range(Some(-1), None, &mut v);
        assert_eq!(v.finish().unwrap_err().invalid_fields(), ["minPrice"]);
        validate_price_range(Some(5), Some(5), &mut v);
        assert!(v.finish().is_ok());
    }

    #[test]
    fn sorts_parse_from_their_wire_names() {
        let sort: Sort = serde_json::from_str("\"-price\"").unwrap();
        assert_eq!(sort, Sort::PriceDesc);
        assert!(serde_json::from_str::<Sort>("\"colour\"").is_err());
    }
}
