//! Users as the API shows them, and the inputs that create and change them.

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::auth::Role;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::password::policy_violation;

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// Longest email address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest search text of the admin list.
pub const MAX_QUERY_CHARS: usize = 100;

/// The canonical form of an email address: trimmed and lower-cased, so that
/// `Jane@Example.org ` and `jane@example.org` are one account.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A user account (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's id.
    pub id: Uuid,
    /// Normalized (trimmed, lower-case) email address.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// When the account was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the account last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

/// Body of `POST /api/auth/register`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    /// Email address; stored trimmed and lower-cased.
    #[schema(example = "jane@example.org")]
    pub email: String,
    /// 12–128 characters with a letter and a digit or symbol, not containing
    /// the email's local part.
    #[schema(example = "correct horse 7 battery")]
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
    /// Name shown to others, 1–100 characters.
    #[schema(example = "Jane")]
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub display_name: String,
}

/// A registration that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Normalized email.
    pub email: String,
    /// The plain password, to be hashed.
    pub password: String,
    /// Trimmed display name.
    pub display_name: String,
}

impl RegisterRequest {
    /// Checks every field at once; 422 naming each bad one.
    pub fn validate(self) -> Result<NewUser, ApiError> {
        let email = normalize_email(&self.email);
        let mut v = Validator::new();
        v.text("email", &email, 1, MAX_EMAIL_CHARS);
        if !email.is_empty() && email.chars().count() <= MAX_EMAIL_CHARS {
            v.email("email", &email);
        }
        if let Some(why) = policy_violation(&self.password, &email) {
            v.push("password", why);
        }
        v.text("displayName", &self.display_name, 1, MAX_DISPLAY_NAME_CHARS);
        v.finish()?;
        Ok(NewUser {
            email,
            password: self.password,
            display_name: self.display_name.trim().to_string(),
        })
    }
}

/// Body of `PATCH /api/users/me`: any subset of the fields.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// New display name, 1–100 characters.
    #[schema(min_length = 1, pattern = "\\S", max_length = 100)]
    pub display_name: Option<String>,
    /// New password (same policy as at registration); requires `currentPassword`.
    #[schema(min_length = 12, max_length = 128)]
    pub password: Option<String>,
    /// The current password, required to set a new one.
    pub current_password: Option<String>,
}

/// A profile change that passed validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChange {
    /// Trimmed new display name.
    pub display_name: Option<String>,
    /// New password with the current one that authorizes it.
    pub password: Option<PasswordChange>,
}

/// A new password and the current one that authorizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordChange {
    /// The current password, to be verified.
    pub current: String,
    /// The new password, to be hashed.
    pub new: String,
}

impl UpdateMeRequest {
    /// Checks every field at once against the account's `email`.
    pub fn validate(self, email: &str) -> Result<ProfileChange, ApiError> {
        let mut v = Validator::new();
        v.optional_text(
            "displayName",
            self.display_name.as_deref(),
            1,
            MAX_DISPLAY_NAME_CHARS,
        );
        let password = match (self.password, self.current_password) {
            (Some(new), current) => {
                if let Some(why) = policy_violation(&new, email) {
                    v.push("password", why);
                }
                match current {
                    Some(current) if !current.is_empty() => Some(PasswordChange { current, new }),
                    _ => {
                        v.push("currentPassword", "is required to change the password");
                        None
                    }
                }
            }
            (None, Some(_)) => {
                v.push("password", "is required when currentPassword is given");
                None
            }
            (None, None) => None,
        };
        v.finish()?;
        Ok(ProfileChange {
            display_name: self.display_name.map(|name| name.trim().to_string()),
            password,
        })
    }
}

/// Body of `PUT`/`PATCH /api/users/{id}/role`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleChange {
    /// The new role.
    pub role: Role,
}

/// Filters of the admin user list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Case-insensitive text contained in the email or display name.
    #[param(max_length = 100)]
    pub q: Option<String>,
}

impl UserFilter {
    /// Checks the filter, recording problems in `v`; returns the search text, if any.
    pub fn validate(&self, v: &mut Validator) -> Option<String> {
        v.optional_text("q", self.q.as_deref(), 0, MAX_QUERY_CHARS);
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: ApiError) -> Vec<String> {
        err.invalid_fields()
    }

    fn register(email: &str, password: &str, name: &str) -> RegisterRequest {
        RegisterRequest {
            email: email.into(),
            password: password.into(),
            display_name: name.into(),
        }
    }

    #[test]
    fn registration_is_normalized() {
        let user = register(" Jane@Example.ORG ", "correct horse 7", "  Jane ")
            .validate()
            .unwrap();
        assert_eq!(user.email, "jane@example.org");
        assert_eq!(user.display_name, "Jane");
    }

    #[test]
    fn registration_names_every_bad_field() {
        let err = register("nope", "short", &"x".repeat(101))
            .validate()
            .unwrap_err();
        assert_eq!(fields(err), ["email", "password", "displayName"]);
        let err = register("", "correct horse 7", " ").validate().unwrap_err();
        assert_eq!(fields(err), ["email", "displayName"]);
    }

    #[test]
    fn password_change_needs_the_current_password() {
        let change = |password: Option<&str>, current: Option<&str>| UpdateMeRequest {
            display_name: None,
            password: password.map(String::from),
            current_password: current.map(String::from),
        };
        let email = "jane@example.org";
        assert_eq!(
            fields(
                change(Some("correct horse 7"), None)
                    .validate(email)
                    .unwrap_err()
            ),
            ["currentPassword"]
        );
        assert_eq!(
            fields(change(None, Some("old")).validate(email).unwrap_err()),
            ["password"]
        );
        assert_eq!(
            fields(
                change(Some("weak"), Some("old"))
                    .validate(email)
                    .unwrap_err()
            ),
            ["password"]
        );
        let ok = change(Some("correct horse 7"), Some("old"))
            .validate(email)
            .unwrap();
        assert_eq!(
            ok.password,
            Some(PasswordChange {
                current: "old".into(),
                new: "correct horse 7".into()
            })
        );
    }

    #[test]
    fn empty_search_is_no_filter() {
        let mut v = Validator::new();
        let filter = UserFilter {
            role: None,
            q: Some("  ".into()),
        };
        assert_eq!(filter.validate(&mut v), None);
        assert!(v.finish().is_ok());
    }
}
