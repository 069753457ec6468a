//! Response types of the payments service, the simulated processor, and their rules as
//! pure functions.

pub mod payment;
pub mod processor;

/// Amounts are the kit's: integer minor units and an ISO 4217 currency.
pub use kit::money::Money;
