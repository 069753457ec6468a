//! Pricing an order from the catalog's answers: prices are never taken from the client.

use kit::ApiError;
use kit::error::FieldError;

use super::Money;
use super::order::{NewOrder, OrderLine};

/// What the catalog says about one product.
pub use kit::upstream::CatalogProduct;

/// The priced lines and their total, or a 422 naming every line whose product is unknown
/// (`None`) or not on sale, every line in another currency than the first, and a total
/// too large to represent.
pub fn price(
    order: &NewOrder,
    products: &[Option<CatalogProduct>],
) -> Result<(Vec<OrderLine>, Money), ApiError> {
    let mut errors = Vec::new();
    let mut lines = Vec::with_capacity(order.lines.len());
    for (i, (line, product)) in order.lines.iter().zip(products).enumerate() {
        let field = format!("lines[{i}].productId");
        match product {
            None => errors.push(FieldError::new(field, "no product has this id")),
            Some(p) if !p.active => errors.push(FieldError::new(field, "is not on sale")),
            Some(p) => lines.push(OrderLine {
                product_id: line.product_id,
                pet_id: None,
                sku: p.sku.clone(),
                name: p.name.clone(),
                quantity: line.quantity,
                unit_price: p.price.clone(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    total(&lines).map(|total| (lines, total))
}

/// Σ quantity × unit price with checked arithmetic; every line must share one currency.
pub fn total(lines: &[OrderLine]) -> Result<Money, ApiError> {
    let Some(first) = lines.first() else {
        return Err(ApiError::invalid("lines", "must not be empty"));
    };
    let currency = first.unit_price.currency.clone();
    let mut errors = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.unit_price.currency != currency {
            errors.push(FieldError::new(
                format!("lines[{i}].productId"),
                format!(
                    "is priced in {}, not {currency} like the first line",
                    line.unit_price.currency
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let sum = lines.iter().try_fold(Money::zero(&currency), |sum, line| {
        sum.plus(&line.unit_price.times(line.quantity)?)
    });
    match sum {
        Ok(total) if total.amount >= 0 => Ok(total),
        _ => Err(ApiError::invalid("lines", "the total is too large")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::NewOrderLine;
    use uuid::Uuid;

    fn product(amount: i64, currency: &str, active: bool) -> CatalogProduct {
        CatalogProduct {
            id: Uuid::new_v4(),
            sku: "SKU".into(),
            name: "Thing".into(),
            price: Money::new(amount, currency),
            active,
        }
    }

    fn order(quantities: &[i64]) -> NewOrder {
        NewOrder {
            store_id: Uuid::new_v4(),
            lines: quantities
                .iter()
                .map(|&quantity| NewOrderLine {
                    product_id: Uuid::new_v4(),
                    quantity,
                })
                .collect(),
        }
    }

    fn fields(err: ApiError) -> Vec<String> {
        err.invalid_fields()
    }

    #[test]
    fn totals_multiply_and_add() {
        let (lines, total) = price(
            &order(&[2, 3]),
            &[
                Some(product(1000, "EUR", true)),
                Some(product(250, "EUR", true)),
            ],
        )
        .unwrap();
        assert_eq!(total, Money::new(2750, "EUR"));
        assert_eq!(lines[1].unit_price.amount, 250);
    }

    #[test]
    fn unknown_inactive_and_foreign_lines_are_named() {
        let err = price(
            &order(&[1, 1, 1]),
            &[
                None,
                Some(product(1, "EUR", false)),
                Some(product(1, "EUR", true)),
            ],
        )
        .unwrap_err();
        assert_eq!(fields(err), ["lines[0].productId", "lines[1].productId"]);
        let err = price(
            &order(&[1, 1]),
            &[Some(product(1, "EUR", true)), Some(product(1, "USD", true))],
        )
        .unwrap_err();
        assert_eq!(fields(err), ["lines[1].productId"]);
    }

    #[test]
    fn overflow_is_a_validation_error() {
        let err = price(&order(&[100]), &[Some(product(i64::MAX / 2, "EUR", true))]).unwrap_err();
        assert_eq!(fields(err), ["lines"]);
    }
}
