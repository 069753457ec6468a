//! Thin HTTP handlers: extract, validate, change the order with its event in one
//! transaction, answer.
//!
//! An order another customer owns answers 404, exactly like one that does not exist, so
//! that order ids cannot be probed.

pub mod checkouts;
pub mod lifecycle;
pub mod orders;

use kit::ApiError;
use kit::auth::Claims;

use crate::store::orders::OrderRow;

/// The 404 of an unknown (or invisible) order.
pub fn not_found() -> ApiError {
    ApiError::not_found("order")
}

/// The order if the caller may see it (its owner or an admin), else 404.
pub fn visible(claims: &Claims, order: Option<OrderRow>) -> Result<OrderRow, ApiError> {
    kit::owner::visible(claims, order, not_found)
}
