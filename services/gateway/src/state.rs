//! What every handler shares.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::FromRef;
use kit::auth::TokenVerifier;
use uuid::Uuid;

use crate::config::Config;
use crate::ratelimit::RateLimiter;
use crate::routing::RouteTable;
use crate::upstream::{self, UpstreamClient};

/// The gateway's shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Prefix to backend.
    pub routes: Arc<RouteTable>,
    /// The pooled client that forwards requests to the backends (the hot path).
    pub proxy: UpstreamClient,
    /// How long a backend may take to answer a forwarded request.
    pub upstream_timeout: Duration,
    /// The HTTP client of the gateway's own calls to the backends: health and documents.
    pub client: reqwest::Client,
    /// Verifies access tokens before anything is forwarded.
    pub verifier: TokenVerifier,
    /// Per-IP and per-user limits.
    pub limits: Arc<Limits>,
    /// Proxies whose `X-Forwarded-For` entries are trusted.
    pub trusted_proxy_hops: usize,
    /// Largest request body forwarded.
    pub max_body_bytes: usize,
}

impl FromRef<AppState> for TokenVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The HTTP client could not be built.
    #[error("cannot build the upstream HTTP client")]
    Client(#[source] reqwest::Error),
}

impl AppState {
    /// Builds the routing table from the contract, and the shared client.
    pub fn new(config: &Config) -> Result<Self, StateError> {
        let routes = RouteTable::new(petstore_contract::backends(), &config.upstreams);
        let client = reqwest::Client::builder()
            .timeout(config.upstream_timeout)
            .connect_timeout(config.upstream_timeout.min(CONNECT_TIMEOUT))
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            // A proxy passes redirects to the client instead of following them,
            // and talks to the backends directly whatever HTTP_PROXY says.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(StateError::Client)?;
        Ok(Self {
            routes: Arc::new(routes),
            proxy: upstream::client(
                config.upstream_timeout.min(CONNECT_TIMEOUT),
                POOL_IDLE_TIMEOUT,
            ),
            upstream_timeout: config.upstream_timeout,
            client,
            verifier: config.verifier.clone(),
            limits: Arc::new(Limits {
                per_ip: RateLimiter::per_minute(config.rate_limit_per_ip_per_minute),
                per_user: RateLimiter::per_minute(config.rate_limit_per_user_per_minute),
            }),
            trusted_proxy_hops: config.trusted_proxy_hops,
            max_body_bytes: config.max_body_bytes,
        })
    }
}

/// Longest the gateway waits for a TCP connection to a backend.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an idle pooled connection is kept.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The gateway's rate limits (in memory, per replica); `None` is disabled.
#[derive(Debug)]
pub struct Limits {
    /// Per client IP.
    pub per_ip: Option<RateLimiter<IpAddr>>,
    /// Per authenticated user (`sub`).
    pub per_user: Option<RateLimiter<Uuid>>,
}

impl Limits {
    /// Forgets idle keys of both limiters.
    pub fn evict_idle(&self, now: Instant) -> usize {
        self.per_ip.as_ref().map_or(0, |l| l.evict_idle(now))
            + self.per_user.as_ref().map_or(0, |l| l.evict_idle(now))
    }
}
