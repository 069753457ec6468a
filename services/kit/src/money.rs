//! Money: integer minor units and an ISO 4217 currency, never floating point.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validate::Validator;

/// An amount of money: integer minor units (cents) and an ISO 4217 currency.
///
/// Deliberately *not* `deny_unknown_fields`: the same type reads events and other
/// services' answers, and a tolerant reader must not break when a producer adds a field
/// (say, a display string). Request bodies stay strict at their own struct level
/// (`#[serde(deny_unknown_fields)]` on the input type), and [`Money::validate`] checks
/// the values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Money {
    /// Minor units (e.g. cents), at least 0.
    #[schema(example = 1299, minimum = 0)]
    pub amount: i64,
    /// ISO 4217 currency code.
    #[schema(example = "EUR")]
    pub currency: String,
}

/// Arithmetic that would overflow or mix currencies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The amounts are in different currencies.
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(String, String),
    /// The result does not fit in 64 bits.
    #[error("amount out of range")]
    Overflow,
}

impl Money {
    /// An amount in a currency.
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
        }
    }

    /// Zero in `currency`.
    pub fn zero(currency: impl Into<String>) -> Self {
        Self::new(0, currency)
    }

    /// Checks the amount and currency, naming them under `field` (e.g. `price.amount`).
    pub fn validate(&self, field: &str, v: &mut Validator) {
        v.check(
            &format!("{field}.amount"),
            self.amount >= 0,
            "must not be negative",
        )
        .currency(&format!("{field}.currency"), &self.currency);
    }

    /// `self × quantity`, or an error instead of overflowing.
    pub fn times(&self, quantity: i64) -> Result<Self, MoneyError> {
        let amount = self
            .amount
            .checked_mul(quantity)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency.clone()))
    }

    /// `self + other`, in the same currency.
    pub fn plus(&self, other: &Money) -> Result<Self, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(
                self.currency.clone(),
                other.currency.clone(),
            ));
        }
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency.clone()))
    }

    /// The sum of `items` in `currency` (zero when empty).
    pub fn sum<'a>(
        currency: &str,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Self, MoneyError> {
        items
            .into_iter()
            .try_fold(Self::zero(currency), |total, item| total.plus(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_bad_parts() {
        let mut v = Validator::new();
        Money::new(-1, "eur").validate("price", &mut v);
        let fields = v.finish().unwrap_err().invalid_fields();
        assert_eq!(fields, ["price.amount", "price.currency"]);
    }

    #[test]
    fn arithmetic_is_checked() {
        let price = Money::new(1299, "EUR");
        assert_eq!(price.times(3).unwrap(), Money::new(3897, "EUR"));
        assert_eq!(
            Money::new(i64::MAX, "EUR").times(2),
            Err(MoneyError::Overflow)
        );
        assert!(matches!(
            price.plus(&Money::new(1, "USD")),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(
            Money::sum("EUR", [&price, &price]).unwrap(),
            Money::new(2598, "EUR")
        );
        assert_eq!(Money::sum("EUR", []).unwrap(), Money::zero("EUR"));
    }
}
