//! What every handler shares.

use std::time::Duration;

use axum::extract::FromRef;
use kit::auth::{TokenSigner, TokenVerifier};
use kit::events::Outbox;
use sqlx::PgPool;

use crate::config::LoginPolicy;
use crate::security::PasswordHasher;

/// The handlers' shared state; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The service's database.
    pub pool: PgPool,
    /// Writes events in the caller's transaction.
    pub outbox: Outbox,
    /// Verifies access tokens.
    pub verifier: TokenVerifier,
    /// Signs access tokens.
    pub signer: TokenSigner,
    /// Hashes and verifies passwords.
    pub passwords: PasswordHasher,
    /// Lifetime of refresh tokens.
    pub refresh_ttl: Duration,
    /// Failed-login lockout.
    pub login_policy: LoginPolicy,
    /// Normalized email of the first administrator, if configured.
    pub bootstrap_admin_email: Option<String>,
}

impl FromRef<AppState> for TokenVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}
