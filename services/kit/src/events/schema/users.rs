//! Events the users service publishes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::role::Role;

/// A user registered.
pub const USER_REGISTERED: &str = "user.registered";
/// A user's role changed; every data service then refuses the user's access tokens issued
/// at or before the change (see [`crate::revocation`]).
pub const USER_ROLE_CHANGED: &str = "user.role_changed";

/// Payload of [`USER_REGISTERED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRegistered {
    /// The new user's id.
    pub user_id: Uuid,
    /// Normalized email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role at registration (`customer`, or `admin` for the bootstrap administrator).
    pub role: Role,
    /// When the account was created (RFC 3339, UTC).
    pub registered_at: DateTime<Utc>,
}

/// Payload of [`USER_ROLE_CHANGED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRoleChanged {
    /// Whose role changed.
    pub user_id: Uuid,
    /// The new role.
    pub role: Role,
    /// When (RFC 3339, UTC); tokens issued at or before it are refused.
    pub changed_at: DateTime<Utc>,
}
