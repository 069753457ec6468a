//! The skeleton every data service runs on: its database pool, its broker
//! connection with the outbox relay, its consumers, and the HTTP shell.
//!
//! A service's `serve` builds a [`Platform`], adds its consumers and router,
//! and calls [`Platform::serve`]; that is the whole start-up.

use std::future::Future;
use std::time::Instant;

use axum::Router;
use petstore_contract::{ServiceSpec, env};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::auth::TokenVerifier;
use crate::config::{Env, FromEnv, Secret};
use crate::db::DatabaseConfig;
use crate::events::{Broker, EventHandler, Subscription};
use crate::http::Runtime;
use crate::listen::{ListenAddrs, Listeners};
use crate::metrics::Metrics;
use crate::revocation;

/// Any failure that stops a service.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Configuration every data service shares.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Where the public and internal HTTP listeners bind.
    pub listen: ListenAddrs,
    /// The service's own database.
    pub database: DatabaseConfig,
    /// The broker.
    pub amqp_url: Secret<String>,
    /// Verifies access tokens.
    pub verifier: TokenVerifier,
    /// The queue of role changes that revoke access tokens (see [`crate::revocation`]);
    /// always set in a deployed service, `None` in tests that do not need it (so they
    /// leave no queue behind).
    pub revocations_queue: Option<String>,
}

impl StoreConfig {
    /// Reads the shared variables for `spec`.
    pub fn from_env(env: &mut Env, spec: &ServiceSpec) -> Option<Self> {
        let listen = env.listen_addrs(spec);
        let database = DatabaseConfig::from_env(env);
        let amqp_url = env.required(env::AMQP_URL);
        let verifier = verifier_from_env(env);
        Some(Self {
            listen,
            database: database?,
            amqp_url: amqp_url?,
            verifier: verifier?,
            revocations_queue: Some(format!("{}.revocations", spec.name)),
        })
    }
}

/// Reads and parses `JWT_PUBLIC_KEY`.
pub fn verifier_from_env(env: &mut Env) -> Option<TokenVerifier> {
    let pem = env.required_text(env::JWT_PUBLIC_KEY)?;
    match TokenVerifier::from_pem(pem.expose()) {
        Ok(verifier) => Some(verifier),
        Err(err) => {
            env.problem(env::JWT_PUBLIC_KEY, err);
            None
        }
    }
}

/// A running service's shared machinery.
pub struct Platform {
    spec: &'static ServiceSpec,
    started: Instant,
    /// The service's database.
    pub pool: PgPool,
    /// The broker connection (relay and consumers).
    pub broker: Broker,
    /// Cancelled when the service must stop.
    pub shutdown: CancellationToken,
    metrics: Metrics,
    tasks: Vec<JoinHandle<()>>,
}

impl Platform {
    /// Opens the pool (lazily), connects the broker and starts the outbox relay.
    pub fn start(
        spec: &'static ServiceSpec,
        config: &StoreConfig,
        shutdown: CancellationToken,
    ) -> Result<Self, BoxError> {
        let pool = config.database.pool()?;
        let broker = Broker::new(config.amqp_url.expose().clone());
        let relay = broker.spawn_relay(pool.clone(), shutdown.clone());
        let revocations = tokio::spawn(revocation::keep_fresh(
            pool.clone(),
            config.verifier.revocations().clone(),
            shutdown.clone(),
        ));
        let mut platform = Self {
            spec,
            started: Instant::now(),
            pool,
            broker,
            shutdown,
            metrics: Metrics::new(spec.name),
            tasks: vec![relay, revocations],
        };
        if let Some(queue) = &config.revocations_queue {
            platform.consume(
                Subscription::new(queue.clone(), &[revocation::USER_ROLE_CHANGED]),
                revocation::RevocationHandler,
            );
        }
        Ok(platform)
    }

    /// Starts a consumer of `subscription` whose effects run in `handler`.
    pub fn consume<H: EventHandler>(&mut self, subscription: Subscription, handler: H) {
        let task = self.broker.spawn_consumer(
            self.pool.clone(),
            self.spec.name,
            subscription,
            handler,
            self.shutdown.clone(),
        );
        self.tasks.push(task);
    }

    /// The metrics registry, for service-specific metrics.
    pub fn metrics_mut(&mut self) -> &mut Metrics {
        &mut self.metrics
    }

    /// Serves `api` (plus the shared endpoints) until shutdown, then waits for
    /// the relay and consumers to finish their in-flight work.
    pub async fn serve(
        self,
        listeners: Listeners,
        api: Router,
        openapi: utoipa::openapi::OpenApi,
    ) -> Result<(), BoxError> {
        let runtime = Runtime {
            spec: self.spec,
            started: self.started,
            pool: Some(self.pool.clone()),
            broker: Some(self.broker.clone()),
            metrics: self.metrics,
            openapi,
        };
        crate::http::serve(
            listeners,
            crate::http::app(runtime, api),
            self.shutdown.clone(),
        )
        .await?;
        self.shutdown.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
        self.pool.close().await;
        Ok(())
    }
}

/// What the kit needs to know to run a service binary.
pub trait Service {
    /// The service's contract entry.
    const SPEC: &'static ServiceSpec;
    /// Its configuration.
    type Config: FromEnv + Send + 'static;
    /// Its migrations, if it has a database.
    fn migrator() -> Option<&'static Migrator>;
    /// Runs the service on `listeners` until `shutdown`.
    fn serve(
        config: Self::Config,
        listeners: Listeners,
        shutdown: CancellationToken,
    ) -> impl Future<Output = Result<(), BoxError>> + Send;
    /// Where it listens, from its configuration.
    fn listen_addrs(config: &Self::Config) -> ListenAddrs;
}
