//! The users service's events are declared in [`kit::events::schema`] (`user.registered`,
//! and `user.role_changed`, which every data service consumes); here their payloads are
//! built from its domain.

use kit::events::schema::UserRegistered;

use crate::domain::user::User;

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

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_names_what_users_consumes() {
        kit::events::schema::assert_consumes("users", &[]);
    }
}
