//! What every handler shares: the kit's state (pool, outbox, verifier) and the accounts'
//! own machinery.

use crate::config::Settings;
use kit::service::{BoxError, Extra};
use std::time::Duration;

use kit::auth::TokenSigner;

use crate::config::LoginPolicy;
use crate::security::PasswordHasher;

/// Shared state of the users handlers.
pub type AppState = kit::service::ServiceState<Accounts>;

/// What only the users handlers need.
#[derive(Clone, Debug)]
pub struct Accounts {
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

impl Extra<Settings> for Accounts {
    async fn build(settings: Settings) -> Result<Self, BoxError> {
        let passwords = PasswordHasher::new(
            settings.password_hashing.clone(),
            settings.password_hash_threads,
        )
        .await?;
        Ok(Accounts {
            signer: settings.signer,
            passwords,
            refresh_ttl: settings.refresh_token_ttl,
            login_policy: settings.login_policy,
            bootstrap_admin_email: settings.bootstrap_admin_email,
        })
    }
}
