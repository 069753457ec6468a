//! Response types of the payments service, the simulated processor, and their rules as
//! pure functions.

pub mod payment;
pub mod processor;

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
