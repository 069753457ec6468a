//! Logging in, refreshing and logging out.

use kit::ApiError;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::user::{MAX_EMAIL_CHARS, User};

/// Longest password a login checks (longer ones cannot exist, see the policy;
/// refusing them early keeps a huge body from costing a hash).
pub const MAX_LOGIN_PASSWORD_CHARS: usize = 1024;
/// Longest refresh token accepted (issued ones are 43 characters).
pub const MAX_REFRESH_TOKEN_CHARS: usize = 256;

/// Body of `POST /api/auth/login`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    /// Email address (matched case-insensitively).
    #[schema(example = "jane@example.org")]
    #[schema(min_length = 1, pattern = "\\S", max_length = 254)]
    pub email: String,
    /// Password.
    #[schema(example = "correct horse 7 battery")]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

impl LoginRequest {
    /// Checks presence and size only: whether the credentials are right is the
    /// login's business, and must not be told apart from a bad format.
    pub fn validate(&self) -> Result<(), ApiError> {
        Validator::new()
            .text("email", &self.email, 1, MAX_EMAIL_CHARS)
            .check("password", !self.password.is_empty(), "must not be empty")
            .check(
                "password",
                self.password.chars().count() <= MAX_LOGIN_PASSWORD_CHARS,
                format!("must be at most {MAX_LOGIN_PASSWORD_CHARS} characters"),
            )
            .finish()
    }
}

/// Body of `POST /api/auth/refresh` and `POST /api/auth/logout`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshTokenRequest {
    /// A refresh token from a login or an earlier refresh.
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: String,
}

impl RefreshTokenRequest {
    /// Checks presence and size.
    pub fn validate(&self) -> Result<(), ApiError> {
        Validator::new()
            .text(
                "refreshToken",
                &self.refresh_token,
                1,
                MAX_REFRESH_TOKEN_CHARS,
            )
            .finish()
    }
}

/// The kind of access token issued; always `Bearer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum TokenType {
    /// Sent as `Authorization: Bearer <accessToken>`.
    Bearer,
}

/// Answer of a login or refresh: an access token, its refresh token, and the user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// EdDSA-signed JWT to send as a bearer token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: TokenType,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque single-use token for `POST /api/auth/refresh`.
    pub refresh_token: String,
    /// The logged-in user.
    pub user: User,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_requires_both_fields() {
        let err = LoginRequest {
            email: " ".into(),
            password: String::new(),
        }
        .validate()
        .unwrap_err();
        let fields = err.invalid_fields();
        assert_eq!(fields, ["email", "password"]);
    }

    #[test]
    fn refresh_token_size_is_bounded() {
        let long = RefreshTokenRequest {
            refresh_token: "x".repeat(MAX_REFRESH_TOKEN_CHARS + 1),
        };
        assert_eq!(long.validate().unwrap_err().problem().status, 422);
    }
}
