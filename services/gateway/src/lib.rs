//! The PetStore gateway: the store's one entry point.
//!
//! It forwards every `/api` path to the backend whose contract prefix covers
//! it, verifies tokens before forwarding, rate limits per client IP and per
//! user, answers CORS, aggregates the backends' health, and serves one docs
//! page for every service's OpenAPI document. It has no database and no broker.
#![forbid(unsafe_code)]

pub mod client_ip;
pub mod config;
pub mod cors;
pub mod docs;
pub mod health;
pub mod path;
pub mod proxy;
pub mod ratelimit;
pub mod routes;
pub mod routing;
pub mod state;
pub mod upstream;

use std::time::Duration;

use kit::http::Runtime;
use kit::listen::{ListenAddrs, Listeners};
use kit::service::BoxError;
use petstore_contract::ServiceSpec;
use tokio_util::sync::CancellationToken;

pub use config::Config;
pub use state::AppState;

/// The gateway's contract entry.
pub const SPEC: &ServiceSpec = &petstore_contract::GATEWAY;

/// How often idle rate-limit keys are forgotten.
const EVICTION_INTERVAL: Duration = Duration::from_secs(60);

/// The gateway as a kit service.
#[derive(Debug)]
pub struct Gateway;

impl kit::service::Service for Gateway {
    const SPEC: &'static ServiceSpec = SPEC;
    type Config = Config;

    /// Runs the gateway on `listeners` until `shutdown`.
    async fn serve(
        config: Config,
        listeners: Listeners,
        shutdown: CancellationToken,
    ) -> Result<(), BoxError> {
        let state = AppState::new(&config)?;
        let eviction = tokio::spawn(evict_idle_keys(state.clone(), shutdown.clone()));
        let runtime = Runtime::stateless(SPEC, routes::openapi());
        let api = routes::router(state, &config.cors_allowed_origins);
        let app = kit::http::app_with_docs(runtime, api, &docs::links());
        let served = kit::http::serve(listeners, app, shutdown.clone()).await;
        shutdown.cancel();
        let _ = eviction.await;
        Ok(served?)
    }

    fn listen_addrs(config: &Config) -> ListenAddrs {
        config.listen
    }
}

/// Keeps the rate limiters' memory bounded by the recently active keys.
async fn evict_idle_keys(state: AppState, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval(EVICTION_INTERVAL);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = ticks.tick() => {
                let evicted = state.limits.evict_idle(std::time::Instant::now());
                tracing::debug!(evicted, "evicted idle rate-limit keys");
            }
        }
    }
}
