//! The machinery every data service runs on: its database pool, its broker
//! connection with the outbox relay, its consumers, and the HTTP shell.
//!
//! [`super::run`] builds a [`Platform`] from a [`super::DataService`]'s declarations, adds
//! its consumers and router, and calls [`Platform::serve`]; that is the whole start-up.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use petstore_contract::{ServiceSpec, env};
use sqlx::PgPool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::auth::TokenVerifier;
use crate::config::{Env, Secret};
use crate::db::DatabaseConfig;
use crate::events::{Broker, EventHandler, RetentionConfig, Subscription, retention};
use crate::http::Runtime;
use crate::listen::{ListenAddrs, Listeners};
use crate::metrics::Metrics;
use crate::revocation;
use crate::supervise::{RestartPolicy, Supervisor, WorkerResult};

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
    /// What every queue of the service is named after: `<prefix>.<subscription>`. The
    /// service's name when deployed (`catalog.order-paid`); unique per test, so that
    /// parallel tests on one broker never take each other's messages.
    pub queue_prefix: String,
    /// How long the event bookkeeping is kept.
    pub retention: RetentionConfig,
}

impl StoreConfig {
    /// Reads the shared variables for `spec`.
    pub fn from_env(env: &mut Env, spec: &ServiceSpec) -> Option<Self> {
        let listen = env.listen_addrs(spec);
        let database = DatabaseConfig::from_env(env);
        let amqp_url = env.required(env::AMQP_URL);
        let verifier = verifier_from_env(env);
        let retention = RetentionConfig::from_env(env);
        Some(Self {
            listen,
            database: database?,
            amqp_url: amqp_url?,
            verifier: verifier?,
            queue_prefix: spec.name.to_string(),
            retention,
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
///
/// Its background workers (the outbox relay, the retention job, the revocations reload, each
/// consumer and whatever
/// the service adds with [`Platform::supervise`]) run under one [`Supervisor`]: one that ends
/// or panics before shutdown is started again with backoff, and shows in `/status`,
/// `/ready` and `petstore_worker_*` meanwhile.
pub struct Platform {
    spec: &'static ServiceSpec,
    started: Instant,
    /// The service's database.
    pub pool: PgPool,
    /// The broker connection (relay and consumers).
    pub broker: Broker,
    queue_prefix: String,
    /// Cancelled when the service must stop.
    pub shutdown: CancellationToken,
    metrics: Metrics,
    supervisor: Supervisor,
    tasks: Vec<JoinHandle<()>>,
}

/// Worker name of the outbox relay.
pub const RELAY_WORKER: &str = "outbox-relay";
/// Worker name of the retention job.
pub const RETENTION_WORKER: &str = "retention";
/// Worker name of the job that keeps the token revocations fresh.
pub const REVOCATIONS_WORKER: &str = "revocations";

/// The queue, within a service, of the role changes that revoke access tokens.
pub const REVOCATIONS_QUEUE: &str = "revocations";

/// The broker's name of a service's queue `queue` (`catalog` + `order-paid` =
/// `catalog.order-paid`).
#[must_use]
pub fn queue_name(prefix: &str, queue: &str) -> String {
    format!("{prefix}.{queue}")
}

/// Worker name of the consumer of `queue`.
#[must_use]
pub fn consumer_worker(queue: &str) -> String {
    format!("consumer:{queue}")
}

impl Platform {
    /// Opens the pool (lazily), connects the broker and starts the workers every service
    /// runs: the outbox relay, the retention job, the reloading of token revocations and
    /// the consumer of role changes (queue `<prefix>.revocations`).
    pub fn start(
        spec: &'static ServiceSpec,
        config: &StoreConfig,
        shutdown: CancellationToken,
    ) -> Result<Self, BoxError> {
        let pool = config.database.pool()?;
        let broker = Broker::new(config.amqp_url.expose().clone());
        let mut metrics = Metrics::new(spec.name);
        let supervisor = Supervisor::new(
            shutdown.clone(),
            RestartPolicy::default(),
            metrics.registry_mut(),
        );
        let mut platform = Self {
            spec,
            started: Instant::now(),
            pool,
            broker,
            queue_prefix: config.queue_prefix.clone(),
            shutdown,
            metrics,
            supervisor,
            tasks: Vec::new(),
        };
        let (broker, pool) = (platform.broker.clone(), platform.pool.clone());
        platform.supervise(RELAY_WORKER, move |shutdown| {
            let (broker, pool) = (broker.clone(), pool.clone());
            async move {
                broker.run_relay(pool, shutdown).await;
                Ok(())
            }
        });
        let (pool, retention) = (platform.pool.clone(), config.retention);
        platform.supervise(RETENTION_WORKER, move |shutdown| {
            retention::run(pool.clone(), retention, shutdown)
        });
        let (pool, revocations) = (platform.pool.clone(), config.verifier.revocations().clone());
        platform.supervise(REVOCATIONS_WORKER, move |shutdown| {
            let (pool, revocations) = (pool.clone(), revocations.clone());
            async move {
                revocation::keep_fresh(pool, revocations, shutdown).await;
                Ok(())
            }
        });
        platform.consume(
            Subscription::new(REVOCATIONS_QUEUE, &[revocation::USER_ROLE_CHANGED]),
            revocation::RevocationHandler,
        );
        Ok(platform)
    }

    /// Starts a consumer of `subscription` whose effects run in `handler`, supervised as
    /// the worker `consumer:<queue>`. The subscription's queue is named within the
    /// service: it is consumed as `<queue prefix>.<queue>`.
    pub fn consume<H: EventHandler>(&mut self, mut subscription: Subscription, handler: H) {
        subscription.queue = queue_name(&self.queue_prefix, &subscription.queue);
        let name = consumer_worker(&subscription.queue);
        let (broker, pool, consumer) = (self.broker.clone(), self.pool.clone(), self.spec.name);
        let handler = Arc::new(handler);
        self.supervise(&name, move |shutdown| {
            let (broker, pool) = (broker.clone(), pool.clone());
            let (subscription, handler) = (subscription.clone(), Arc::clone(&handler));
            async move {
                broker
                    .run_consumer(pool, consumer, subscription, handler, shutdown)
                    .await;
                Ok(())
            }
        });
    }

    /// Runs a background worker of the service under supervision: `start(shutdown)` begins
    /// one run, which must end only once `shutdown` is cancelled (after finishing its
    /// in-flight work); `serve` waits for it then.
    pub fn supervise<F, Fut>(&mut self, name: &str, start: F)
    where
        F: FnMut(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = WorkerResult> + Send + 'static,
    {
        let task = self.supervisor.spawn(name, start);
        self.tasks.push(task);
    }

    /// The metrics registry, for service-specific metrics.
    pub fn metrics_mut(&mut self) -> &mut Metrics {
        &mut self.metrics
    }

    /// Serves `api` (plus the shared endpoints) until shutdown, then waits for
    /// the workers (relay, consumers, ...) to finish their in-flight work.
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
            workers: self.supervisor.workers().clone(),
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
