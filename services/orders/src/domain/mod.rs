//! Request and response types of the orders service, and their validation as pure functions.

pub mod order;
pub mod pricing;

/// Amounts are the kit's: integer minor units and an ISO 4217 currency.
pub use kit::money::Money;
