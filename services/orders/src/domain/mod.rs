//! Request and response types of the orders service, and their validation as pure functions.

pub mod order;
pub mod pricing;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An amount of money: integer minor units (cents) and an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Money {
    /// Minor units (e.g. cents), at least 0.
    #[schema(example = 1299, minimum = 0)]
    pub amount: i64,
    /// ISO 4217 currency code.
    #[schema(example = "EUR")]
    pub currency: String,
}

impl Money {
    /// An amount in a currency.
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
        }
    }
}
