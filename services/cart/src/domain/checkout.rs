//! Checkout: turning an open cart into the lines and total of an order.

use kit::ApiError;
use kit::money::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::cart::CartItem;

/// Body of `POST /api/cart/checkout`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckoutRequest {
    /// The store that fulfils the order.
    pub store_id: Uuid,
}

/// Answer of an accepted checkout; follow `Location` to the order, which can be read (as
/// `pending`, or further along) from the moment checkout answers while the orders service
/// is up. Were orders unreachable at that moment, checkout still succeeds and the order
/// appears as soon as orders reads `cart.checked_out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutAccepted {
    /// The order's id, chosen by the cart.
    pub order_id: Uuid,
    /// Always `pending`: the order saga has only begun.
    pub status: String,
}

impl CheckoutAccepted {
    /// The answer for `order_id`.
    pub fn pending(order_id: Uuid) -> Self {
        Self {
            order_id,
            status: "pending".into(),
        }
    }
}

pub use kit::events::schema::OrderLine;

/// The lines and total of the order `items` become, or why they cannot be checked out:
/// an empty cart or unavailable items are conflicts with the cart's state (409).
pub fn order_lines(items: &[CartItem]) -> Result<(Vec<OrderLine>, Money), ApiError> {
    let Some(first) = items.first() else {
        return Err(ApiError::state_conflict(
            "the cart is empty; add items before checking out",
        ));
    };
    let unavailable: Vec<String> = items
        .iter()
        .filter(|i| !i.available)
        .map(|i| format!("{} ({})", i.product_id, i.sku))
        .collect();
    if !unavailable.is_empty() {
        return Err(ApiError::conflict(
            "items",
            format!(
                "no longer available, remove before checking out: {}",
                unavailable.join(", ")
            ),
        ));
    }
    let currency = first.unit_price.currency.clone();
    let total = Money::sum(&currency, items.iter().map(|i| &i.line_total)).map_err(|err| {
        ApiError::conflict("items", format!("the cart cannot be checked out: {err}"))
    })?;
    let lines = items
        .iter()
        .map(|i| OrderLine {
            product_id: i.product_id,
            pet_id: None,
            sku: i.sku.clone(),
            name: i.name.clone(),
            quantity: i.quantity,
            unit_price: i.unit_price.clone(),
        })
        .collect();
    Ok((lines, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn item(amount: i64, currency: &str, quantity: i64, available: bool) -> CartItem {
        let unit_price = Money::new(amount, currency);
        CartItem {
            product_id: Uuid::new_v4(),
            sku: "SKU-1".into(),
            name: "Thing".into(),
            quantity,
            line_total: unit_price.times(quantity).unwrap(),
            unit_price,
            available,
            added_at: Utc::now(),
        }
    }

    #[test]
    fn lines_and_total() {
        let items = [item(250, "EUR", 2, true), item(100, "EUR", 3, true)];
        let (lines, total) = order_lines(&items).unwrap();
        assert_eq!(total, Money::new(800, "EUR"));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].quantity, 3);
        assert_eq!(lines[0].unit_price, Money::new(250, "EUR"));
    }

    #[test]
    fn empty_unavailable_and_mixed_carts_are_conflicts() {
        assert_eq!(order_lines(&[]).unwrap_err().status(), 409);
        let gone = item(1, "EUR", 1, false);
        let err = order_lines(&[item(1, "EUR", 1, true), gone.clone()]).unwrap_err();
        assert_eq!(err.status(), 409);
        assert!(
            err.problem()
                .detail
                .unwrap()
                .contains(&gone.product_id.to_string())
        );
        let mixed = [item(1, "EUR", 1, true), item(1, "USD", 1, true)];
        assert_eq!(order_lines(&mixed).unwrap_err().status(), 409);
    }
}
