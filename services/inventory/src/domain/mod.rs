//! Request and response types of the inventory, and their rules as pure functions.

pub mod movement;
pub mod stock;
pub mod store;
pub mod timezone;
pub mod transfer;

use kit::validate::Validator;

/// Largest quantity accepted in any request (on hand, minimum, delta, transfer): far above
/// any real shelf, low enough that sums never come near overflow.
pub const MAX_QUANTITY: i64 = 1_000_000_000;
/// Longest reason of a stock change or transfer.
pub const REASON_MAX: usize = 500;

/// A required reason: 1–500 characters.
pub fn check_reason(v: &mut Validator, reason: &str) {
    v.text("reason", reason, 1, REASON_MAX);
}
