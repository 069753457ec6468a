//! What every handler shares.

use std::sync::Arc;

use kit::service::BoxError;

use crate::api::Api;
use crate::config::{Config, CookieSecurity};
use crate::session::SessionKey;

/// Shared by the handlers; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The store's APIs.
    pub api: Api,
    /// Seals and opens session cookies.
    pub sessions: Arc<SessionKey>,
    /// When cookies are `Secure`.
    pub cookie_security: CookieSecurity,
}

impl AppState {
    /// Builds the state from the configuration.
    pub fn new(config: &Config) -> Result<Self, BoxError> {
        Ok(Self {
            api: Api::new(config.upstreams.clone())?,
            sessions: Arc::new(SessionKey::derive(config.session_key.expose())),
            cookie_security: config.cookie_security,
        })
    }
}
