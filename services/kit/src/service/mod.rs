//! A service is its declarations; the kit runs the rest.
//!
//! A data service (one with a database and events) implements [`DataService`]: its contract
//! entry, its own settings, what its handlers need beyond the shared [`ServiceState`], its
//! migrations, its consumers and its routes. [`Data`] turns those declarations into a
//! [`Service`], the unit the `petstore` binary runs: configuration, the pool, the outbox
//! relay and consumers under supervision, the HTTP shell, start-up, shutdown and `migrate`.
//! Services without a database (the gateway, the console) implement [`Service`] directly.

mod data;
mod platform;

use std::future::Future;

use petstore_contract::ServiceSpec;
use sqlx::migrate::Migrator;
use tokio_util::sync::CancellationToken;

use crate::config::FromEnv;
use crate::listen::{ListenAddrs, Listeners};

pub use data::{
    Consumers, Data, DataConfig, DataService, Extra, ServiceState, openapi, queues, run,
};
pub use platform::{
    BoxError, Platform, RELAY_WORKER, RETENTION_WORKER, REVOCATIONS_QUEUE, REVOCATIONS_WORKER,
    StoreConfig, consumer_worker, queue_name, verifier_from_env,
};

/// What the kit needs to know to run a service: the `petstore` binary's unit.
pub trait Service {
    /// The service's contract entry.
    const SPEC: &'static ServiceSpec;
    /// Its configuration.
    type Config: FromEnv + Send + 'static;
    /// Its migrations, if it has a database.
    fn migrator() -> Option<&'static Migrator> {
        None
    }
    /// Runs the service on `listeners` until `shutdown`.
    fn serve(
        config: Self::Config,
        listeners: Listeners,
        shutdown: CancellationToken,
    ) -> impl Future<Output = Result<(), BoxError>> + Send;
    /// Where it listens, from its configuration.
    fn listen_addrs(config: &Self::Config) -> ListenAddrs;
}
