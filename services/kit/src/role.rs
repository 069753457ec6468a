//! The roles of the store's callers: in every token, and in the events that change them
//! (its own module, so that the events need not import the token code, which imports the
//! revocations, which import the events).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Role {
    /// Shops: carts, orders, reviews, own profile.
    Customer,
    /// Runs the store: catalog, stores, stock, users.
    Admin,
}
