//! The data services' skeleton: a service declares what is its own ([`DataService`]) and
//! [`run`] does the rest.

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::FromRef;
use petstore_contract::ServiceSpec;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use tokio_util::sync::CancellationToken;
use utoipa_axum::router::OpenApiRouter;

use super::Service;
use super::platform::{BoxError, Platform, REVOCATIONS_QUEUE, StoreConfig};
use crate::auth::TokenVerifier;
use crate::config::{Env, FromEnv};
use crate::events::{EventHandler, Outbox, Subscription};
use crate::listen::{ListenAddrs, Listeners};

/// A service with a database and events, as its declarations.
pub trait DataService: Send + Sync + Sized + 'static {
    /// Its contract entry (name, port, database, environment).
    const SPEC: &'static ServiceSpec;
    /// Its own settings, read from the environment beside the shared [`StoreConfig`];
    /// `()` when it has none.
    type Settings: FromEnv + Send + 'static;
    /// What its handlers need beside the pool, the outbox and the verifier (reached through
    /// [`ServiceState`]'s `Deref`), built from its settings; `()` when nothing.
    type Extra: Extra<Self::Settings> + Clone + Send + Sync + 'static;

    /// Its migrations.
    const MIGRATOR: &'static Migrator;

    /// Its routes, each with its OpenAPI operation: one list (`utoipa_axum::routes!`), from
    /// which both the router and the document are made.
    fn api() -> OpenApiRouter<ServiceState<Self::Extra>>;

    /// Checks its settings against the shared configuration once both are read (a signing
    /// key against the verifying key, say), recording problems in `env`.
    fn check(store: &StoreConfig, settings: &Self::Settings, env: &mut Env) {
        let _ = (store, settings, env);
    }

    /// Declares its consumers; the kit adds the consumer of role changes every service has.
    fn subscribe(consumers: &mut Consumers<'_>, outbox: &Outbox) {
        let _ = (consumers, outbox);
    }

    /// Starts its own background workers beside the kit's (with
    /// [`Platform::supervise`], under the service's shutdown token), given its built
    /// [`DataService::Extra`]: a listener feeding something the handlers share, say.
    fn start(platform: &mut Platform, extra: &Self::Extra) {
        let _ = (platform, extra);
    }
}

/// What a service's handlers need of their own, built at start-up from its settings
/// (clients of other services, a password hasher, ...).
pub trait Extra<Settings>: Sized {
    /// Builds it.
    ///
    /// # Errors
    /// If it cannot be built (an HTTP client without a backend, say); the service stops.
    fn build(settings: Settings) -> impl Future<Output = Result<Self, BoxError>> + Send;
}

/// A service that needs nothing of its own.
impl Extra<()> for () {
    async fn build((): ()) -> Result<(), BoxError> {
        Ok(())
    }
}

/// What every handler of a data service can reach: its database, its outbox, the token
/// verifier, and its own [`DataService::Extra`] (fields of which read as fields of the
/// state, through `Deref`).
#[derive(Clone)]
pub struct ServiceState<X = ()> {
    /// The service's database.
    pub pool: PgPool,
    /// Writes events in the same transaction as the change they announce.
    pub outbox: Outbox,
    /// Verifies access tokens.
    pub verifier: TokenVerifier,
    /// What only this service's handlers need.
    pub extra: X,
}

impl<X> Deref for ServiceState<X> {
    type Target = X;

    fn deref(&self) -> &X {
        &self.extra
    }
}

impl<X> FromRef<ServiceState<X>> for TokenVerifier {
    fn from_ref(state: &ServiceState<X>) -> Self {
        state.verifier.clone()
    }
}

/// Where a service's consumers are declared: started on the running service, or only
/// named (to know which queues a test must remove).
pub struct Consumers<'a> {
    platform: Option<&'a mut Platform>,
    queues: Vec<String>,
}

impl Consumers<'_> {
    /// Consumes `subscription` (its queue named within the service, e.g. `order-paid`)
    /// with `handler`.
    pub fn consume<H: EventHandler>(&mut self, subscription: Subscription, handler: H) {
        self.queues.push(subscription.queue.clone());
        if let Some(platform) = self.platform.as_deref_mut() {
            platform.consume(subscription, handler);
        }
    }
}

/// The queues `S` consumes from, named within the service (`order-paid`, ...), the
/// revocations queue included.
#[must_use]
pub fn queues<S: DataService>() -> Vec<String> {
    let mut consumers = Consumers {
        platform: None,
        queues: vec![REVOCATIONS_QUEUE.to_string()],
    };
    S::subscribe(&mut consumers, &Outbox::new(S::SPEC.name));
    consumers.queues
}

/// The configuration of a data service: the shared part and its own settings.
pub struct DataConfig<S: DataService> {
    /// Listen addresses, database, broker, verifier, queue prefix, retention.
    pub store: StoreConfig,
    /// The service's own settings.
    pub settings: S::Settings,
}

impl<S: DataService> std::fmt::Debug for DataConfig<S>
where
    S::Settings: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataConfig")
            .field("store", &self.store)
            .field("settings", &self.settings)
            .finish()
    }
}

impl<S: DataService> FromEnv for DataConfig<S> {
    fn from_env(env: &mut Env) -> Option<Self> {
        let store = StoreConfig::from_env(env, S::SPEC);
        let settings = S::Settings::from_env(env);
        if let (Some(store), Some(settings)) = (&store, &settings) {
            S::check(store, settings, env);
        }
        Some(Self {
            store: store?,
            settings: settings?,
        })
    }
}

/// `S`'s OpenAPI document, as it serves it at `/docs/openapi.json`.
#[must_use]
pub fn openapi<S: DataService>() -> utoipa::openapi::OpenApi {
    let (_, doc) = S::api().split_for_parts();
    finish::<S>(doc)
}

fn finish<S: DataService>(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    crate::openapi::finish(doc, &format!("PetStore {} API", S::SPEC.name))
}

/// Runs `S` on `listeners` until `shutdown`: builds its state, starts the relay, the
/// retention job, the revocations, its consumers and its own workers, and serves its routes.
///
/// # Errors
/// If its own state cannot be built or the pool cannot be configured; later, if a listener
/// fails.
pub async fn run<S: DataService>(
    config: DataConfig<S>,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let extra = S::Extra::build(config.settings).await?;
    let mut platform = Platform::start(S::SPEC, &config.store, shutdown)?;
    let outbox = Outbox::new(S::SPEC.name);
    S::subscribe(
        &mut Consumers {
            platform: Some(&mut platform),
            queues: Vec::new(),
        },
        &outbox,
    );
    S::start(&mut platform, &extra);
    let state = ServiceState {
        pool: platform.pool.clone(),
        outbox,
        verifier: config.store.verifier.clone(),
        extra,
    };
    let (router, doc) = S::api().split_for_parts();
    platform
        .serve(listeners, router.with_state(state), finish::<S>(doc))
        .await
}

/// A [`DataService`] as the binary runs it.
pub struct Data<S>(PhantomData<S>);

impl<S: DataService> Service for Data<S> {
    const SPEC: &'static ServiceSpec = S::SPEC;
    type Config = DataConfig<S>;

    fn migrator() -> Option<&'static Migrator> {
        Some(S::MIGRATOR)
    }

    fn serve(
        config: DataConfig<S>,
        listeners: Listeners,
        shutdown: CancellationToken,
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        run::<S>(config, listeners, shutdown)
    }

    fn listen_addrs(config: &DataConfig<S>) -> ListenAddrs {
        config.store.listen
    }
}
