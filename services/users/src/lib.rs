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

use kit::OpenApiRouter;
use kit::config::Env;
use kit::service::{DataService, StoreConfig};
use petstore_contract::ServiceSpec;
use sqlx::migrate::Migrator;

pub use config::Settings;

/// The users service's whole configuration: the shared part and [`Settings`].
pub type Config = kit::service::DataConfig<Users>;
use state::{Accounts, AppState};

/// The users service's migrations (schema `public`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The users service's contract entry.
pub const SPEC: &ServiceSpec = &petstore_contract::USERS;

/// The users service, as its declarations: it consumes nothing (beside the role changes
/// every service follows); it publishes `user.registered` and `user.role_changed`.
#[derive(Debug)]
pub struct Users;

impl DataService for Users {
    const SPEC: &'static ServiceSpec = SPEC;
    const MIGRATOR: &'static sqlx::migrate::Migrator = &MIGRATOR;
    type Settings = Settings;
    type Extra = Accounts;

    fn api() -> OpenApiRouter<AppState> {
        routes::api()
    }

    fn check(store: &StoreConfig, settings: &Settings, env: &mut Env) {
        config::check_key_pair(env, &settings.signer, &store.verifier);
    }
}
