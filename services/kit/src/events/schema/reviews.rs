//! Events the reviews service publishes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A review was written.
pub const REVIEW_CREATED: &str = "review.created";

/// Payload of [`REVIEW_CREATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewCreated {
    /// The review.
    pub review_id: Uuid,
    /// The product reviewed.
    pub product_id: Uuid,
    /// The author.
    pub user_id: Uuid,
    /// Stars, 1–5.
    pub rating: i64,
    /// Whether the author bought the product.
    pub verified: bool,
}
