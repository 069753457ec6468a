//! Events the users service publishes (it consumes none but the kit's own
//! `user.role_changed`, defined in [`kit::revocation`] since every service consumes it).

use chrono::{DateTime, Utc};
use kit::auth::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::user::User;

/// A user registered.
pub const USER_REGISTERED: &str = "user.registered";

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

impl From<&User> for UserRegistered {
    fn from(user: &User) -> Self {
        Self {
            user_id: user.id,
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            registered_at: user.created_at,
        }
    }
}
