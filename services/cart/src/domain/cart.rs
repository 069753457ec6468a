//! The cart as a client sees it, and the rules of its items.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::money::{Money, MoneyError};
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Fewest of one product a cart line may hold.
pub const QUANTITY_MIN: i64 = 1;
/// Most of one product a cart line may hold.
pub const QUANTITY_MAX: i64 = 99;

/// The caller's open cart, with current prices and totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    /// Id.
    pub id: Uuid,
    /// The owner.
    pub user_id: Uuid,
    /// Items, oldest first.
    pub items: Vec<CartItem>,
    /// Sum of the available items' line totals, one entry per currency (a cart is
    /// normally in one currency; none when it has no available item).
    pub subtotals: Vec<Money>,
    /// Number of units of available items.
    pub item_count: i64,
    /// When the cart was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One product in a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CartItem {
    /// The product.
    pub product_id: Uuid,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// How many, 1–99.
    pub quantity: i64,
    /// Current unit price (kept up to date from the catalog's events).
    pub unit_price: Money,
    /// `unitPrice × quantity`.
    pub line_total: Money,
    /// False once the product was deleted or taken off sale: the item is shown but
    /// excluded from totals and refused at checkout until removed.
    pub available: bool,
    /// When it was first added.
    pub added_at: DateTime<Utc>,
}

/// Body of `POST /api/cart/items`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewItem {
    /// The product, which must exist in the catalog and be on sale.
    pub product_id: Uuid,
    /// How many to add, 1–99 (added to any quantity already in the cart; the sum must
    /// stay within 99).
    #[schema(minimum = 1, maximum = 99)]
    #[schema(minimum = 1, maximum = 99)]
    pub quantity: i64,
}

/// Body of `PATCH /api/cart/items/{productId}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuantityChange {
    /// The new quantity, 0–99; 0 removes the item.
    #[schema(minimum = 0, maximum = 99)]
    #[schema(minimum = 0, maximum = 99)]
    pub quantity: i64,
}

impl NewItem {
    /// Checks the quantity to add.
    pub fn validate(&self) -> Result<(), ApiError> {
        Validator::new()
            .range("quantity", self.quantity, QUANTITY_MIN, QUANTITY_MAX)
            .finish()
    }
}

impl QuantityChange {
    /// Checks the new quantity (0 allowed: it removes the item).
    pub fn validate(&self) -> Result<(), ApiError> {
        Validator::new()
            .range("quantity", self.quantity, 0, QUANTITY_MAX)
            .finish()
    }
}

/// The quantity after adding `added` to `current`, or a 422 naming `quantity` when the
/// line would exceed [`QUANTITY_MAX`].
pub fn combined_quantity(current: i64, added: i64) -> Result<i64, ApiError> {
    let total = current.saturating_add(added);
    if total > QUANTITY_MAX {
        Err(ApiError::invalid(
            "quantity",
            format!(
                "the cart already holds {current} of this product; at most {QUANTITY_MAX} in all"
            ),
        ))
    } else {
        Ok(total)
    }
}

/// A 422 naming `productId` unless `currency` matches every other item of the cart
/// (a cart is checked out as one order, in one currency).
pub fn ensure_same_currency<'a>(
    currency: &str,
    others: impl IntoIterator<Item = &'a CartItem>,
) -> Result<(), ApiError> {
    match others
        .into_iter()
        .find(|item| item.unit_price.currency != currency)
    {
        Some(other) => Err(ApiError::invalid(
            "productId",
            format!(
                "the product is priced in {currency} but the cart is in {}",
                other.unit_price.currency
            ),
        )),
        None => Ok(()),
    }
}

/// The line total of an item (checked: overflow is an error, never a wrap).
pub fn line_total(unit_price: &Money, quantity: i64) -> Result<Money, MoneyError> {
    unit_price.times(quantity)
}

/// Sums of the available items' line totals, one per currency, ordered by currency.
pub fn subtotals(items: &[CartItem]) -> Result<Vec<Money>, MoneyError> {
    let mut sums: BTreeMap<&str, Money> = BTreeMap::new();
    for item in items.iter().filter(|i| i.available) {
        let currency = item.line_total.currency.as_str();
        let sum = match sums.get(currency) {
            Some(sum) => sum.plus(&item.line_total)?,
            None => item.line_total.clone(),
        };
        sums.insert(currency, sum);
    }
    Ok(sums.into_values().collect())
}

/// Units of available items.
pub fn item_count(items: &[CartItem]) -> i64 {
    items
        .iter()
        .filter(|i| i.available)
        .map(|i| i.quantity)
        .sum()
}

/// A 422 for totals too large to represent (only reachable with absurd prices).
pub fn overflow(err: MoneyError) -> ApiError {
    ApiError::invalid(
        "items",
        format!("the cart's total cannot be computed: {err}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(amount: i64, currency: &str, quantity: i64, available: bool) -> CartItem {
        let unit_price = Money::new(amount, currency);
        CartItem {
            product_id: Uuid::new_v4(),
            sku: "SKU".into(),
            name: "Thing".into(),
            quantity,
            line_total: line_total(&unit_price, quantity).unwrap(),
            unit_price,
            available,
            added_at: Utc::now(),
        }
    }

    fn fields(err: ApiError) -> Vec<String> {
        err.invalid_fields()
    }

    #[test]
    fn quantities_are_bounded() {
        for bad in [0, -1, 100] {
            let err = NewItem {
                product_id: Uuid::nil(),
                quantity: bad,
            }
            .validate()
            .unwrap_err();
            assert_eq!(fields(err), ["quantity"]);
        }
        assert!(QuantityChange { quantity: 0 }.validate().is_ok());
        assert!(QuantityChange { quantity: 100 }.validate().is_err());
        assert_eq!(combined_quantity(90, 9).unwrap(), 99);
        assert_eq!(fields(combined_quantity(90, 10).unwrap_err()), ["quantity"]);
    }

    #[test]
    fn subtotals_skip_unavailable_items_and_group_by_currency() {
        let items = [
            item(250, "EUR", 2, true),
            item(100, "EUR", 1, true),
            item(9999, "EUR", 1, false),
            item(300, "USD", 1, true),
        ];
        assert_eq!(
            subtotals(&items).unwrap(),
            [Money::new(600, "EUR"), Money::new(300, "USD")]
        );
        assert_eq!(item_count(&items), 4);
        assert!(subtotals(&[]).unwrap().is_empty());
    }

    #[test]
    fn arithmetic_is_checked() {
        assert!(line_total(&Money::new(i64::MAX, "EUR"), 2).is_err());
        let a = item(i64::MAX, "EUR", 1, true);
        assert!(subtotals(&[a.clone(), a]).is_err());
    }

    #[test]
    fn one_currency_per_cart() {
        let items = [item(1, "EUR", 1, true)];
        assert!(ensure_same_currency("EUR", &items).is_ok());
        assert_eq!(
            fields(ensure_same_currency("USD", &items).unwrap_err()),
            ["productId"]
        );
    }
}
