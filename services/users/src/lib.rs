//! The users service: accounts, roles, and the tokens that prove who a caller is.
//!
//! It registers users (argon2id password hashes, published as
//! `user.registered`), logs them in with a short-lived EdDSA access token and
//! a rotating refresh token, and lets administrators list users and change
//! their roles. Repeated failed logins for an email are refused for a while
//! (counted in the database, so every replica agrees).
#![forbid(unsafe_code)]

pub mod config;
pub mod domain;
pub mod events;
pub mod handlers;
pub mod routes;
pub mod security;
pub mod state;
pub mod store;

use kit::events::Outbox;
use kit::listen::{ListenAddrs, Listeners};
use kit::service::{BoxError, Platform, Service};
use petstore_contract::ServiceSpec;
use sqlx::migrate::Migrator;
use tokio_util::sync::CancellationToken;

pub use config::Config;
use security::PasswordHasher;
use state::AppState;

/// The service's migrations (schema `public`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The service's contract entry.
pub const SPEC: &ServiceSpec = &petstore_contract::USERS;

/// The users service, as the kit runs it.
#[derive(Debug)]
pub struct Users;

impl Service for Users {
    const SPEC: &'static ServiceSpec = SPEC;
    type Config = Config;

    fn migrator() -> Option<&'static Migrator> {
        Some(&MIGRATOR)
    }

    fn serve(
        config: Config,
        listeners: Listeners,
        shutdown: CancellationToken,
    ) -> impl std::future::Future<Output = Result<(), BoxError>> + Send {
        serve(config, listeners, shutdown)
    }

    fn listen_addrs(config: &Config) -> ListenAddrs {
        config.store.listen
    }
}

/// Runs the service on `listeners` until `shutdown` is cancelled.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let platform = Platform::start(SPEC, &config.store, shutdown)?;
    let passwords = PasswordHasher::new(
        config.password_hashing.clone(),
        config.password_hash_threads,
    )
    .await?;
    let state = AppState {
        pool: platform.pool.clone(),
        outbox: Outbox::new(SPEC.name),
        verifier: config.store.verifier.clone(),
        signer: config.signer,
        passwords,
        refresh_ttl: config.refresh_token_ttl,
        login_policy: config.login_policy,
        bootstrap_admin_email: config.bootstrap_admin_email,
    };
    platform
        .serve(listeners, routes::router(state), routes::openapi())
        .await
}
