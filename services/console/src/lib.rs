//! The PetStore web console: the shop front for customers and the back office for staff.
//!
//! Pages are rendered on the server (askama templates) and work without scripts; htmx,
//! embedded in the binary, only makes the live parts live (an order's status, the
//! dashboard's health). The console owns no data: it reads and writes through the other
//! services' public APIs with the signed-in person's own access token, which it keeps in
//! a sealed, httpOnly session cookie that page scripts can never read.
#![forbid(unsafe_code)]

pub mod api;
pub mod assets;
pub mod config;
pub mod csrf;
pub mod error;
pub mod form;
pub mod money;
pub mod pages;
pub mod problem;
pub mod routes;
pub mod session;
pub mod state;
pub mod views;
pub mod visit;

use kit::http::Runtime;
use kit::listen::{ListenAddrs, Listeners};
use kit::service::BoxError;
use petstore_contract::ServiceSpec;
use tokio_util::sync::CancellationToken;

pub use config::Config;
pub use state::AppState;

/// The console's contract entry.
pub const SPEC: &ServiceSpec = &petstore_contract::CONSOLE;

/// The console as a kit service.
#[derive(Debug)]
pub struct Console;

impl kit::service::Service for Console {
    const SPEC: &'static ServiceSpec = SPEC;
    type Config = Config;

    /// Runs the console on `listeners` until `shutdown`.
    async fn serve(
        config: Config,
        listeners: Listeners,
        shutdown: CancellationToken,
    ) -> Result<(), BoxError> {
        let state = AppState::new(&config)?;
        let runtime = Runtime::stateless(SPEC, routes::openapi());
        let app = kit::http::app(runtime, routes::router(state));
        kit::http::serve(listeners, app, shutdown).await?;
        Ok(())
    }

    fn listen_addrs(config: &Config) -> ListenAddrs {
        config.listen
    }
}
