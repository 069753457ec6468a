//! The HTTP shell every service shares: `/health`, `/ready`, `/openapi.json` and
//! `/docs` beside the API on the public listener; `/health`, `/ready`, `/status` and
//! `/metrics` on the internal one; request ids, request logs and metrics, panics turned
//! into problems, and graceful shutdown of both.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use petstore_contract::{ServiceSpec, endpoints};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::events::Broker;
use crate::listen::Listeners;
use crate::metrics::{Metrics, RequestLabels};
use crate::supervise::{WorkerReport, Workers};

/// Header carrying the request id.
pub static REQUEST_ID: HeaderName = HeaderName::from_static(petstore_contract::REQUEST_ID_HEADER);

/// What the shared endpoints need to know about the running service.
pub struct Runtime {
    /// The service's contract entry.
    pub spec: &'static ServiceSpec,
    /// When the process started.
    pub started: Instant,
    /// The service's database, if it has one.
    pub pool: Option<sqlx::PgPool>,
    /// The broker connection, if the service uses one.
    pub broker: Option<Broker>,
    /// The supervised background workers (empty if the service has none).
    pub workers: Workers,
    /// Metrics registry.
    pub metrics: Metrics,
    /// The service's OpenAPI document.
    pub openapi: utoipa::openapi::OpenApi,
}

impl Runtime {
    /// The runtime of a service with no database, broker or workers of its own (the
    /// gateway, the console), starting now.
    #[must_use]
    pub fn stateless(spec: &'static ServiceSpec, openapi: utoipa::openapi::OpenApi) -> Self {
        Self {
            spec,
            started: Instant::now(),
            pool: None,
            broker: None,
            workers: Workers::default(),
            metrics: Metrics::new(spec.name),
            openapi,
        }
    }
}

/// State of one dependency in `/ready` and `/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DependencyState {
    /// Reachable.
    Up,
    /// Not reachable.
    Down,
}

/// Readiness of the service and its dependencies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ready` or `unready`.
    pub status: &'static str,
    /// Each dependency by name: `database`, `broker`, and `workers` (down while any
    /// supervised worker is not running).
    pub dependencies: std::collections::BTreeMap<&'static str, DependencyState>,
}

/// The `/status` document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusReport {
    /// Service name.
    pub name: &'static str,
    /// Service version.
    pub version: &'static str,
    /// Seconds since start.
    pub uptime_seconds: u64,
    /// Readiness and dependency states.
    #[serde(flatten)]
    pub readiness: Readiness,
    /// Every supervised background worker, by name.
    pub workers: Vec<WorkerReport>,
}

impl Runtime {
    async fn readiness(&self) -> Readiness {
        let mut dependencies = std::collections::BTreeMap::new();
        let state = |up: bool| {
            if up {
                DependencyState::Up
            } else {
                DependencyState::Down
            }
        };
        if let Some(pool) = &self.pool {
            dependencies.insert("database", state(crate::db::ping(pool).await));
        }
        if let Some(broker) = &self.broker {
            dependencies.insert("broker", state(broker.is_connected()));
        }
        if !self.workers.is_empty() {
            dependencies.insert("workers", state(self.workers.all_running()));
        }
        let ready = dependencies.values().all(|s| *s == DependencyState::Up);
        Readiness {
            status: if ready { "ready" } else { "unready" },
            dependencies,
        }
    }
}

async fn health() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn ready(State(runtime): State<Arc<Runtime>>) -> Response {
    let readiness = runtime.readiness().await;
    let status = if readiness.status == "ready" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(readiness)).into_response()
}

async fn status(State(runtime): State<Arc<Runtime>>) -> impl IntoResponse {
    axum::Json(StatusReport {
        name: runtime.spec.name,
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: runtime.started.elapsed().as_secs(),
        readiness: runtime.readiness().await,
        workers: runtime.workers.reports(),
    })
}

async fn metrics(State(runtime): State<Arc<Runtime>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        runtime.metrics.encode(),
    )
}

async fn openapi(State(runtime): State<Arc<Runtime>>) -> impl IntoResponse {
    axum::Json(runtime.openapi.clone())
}

async fn record_metrics(
    State(runtime): State<Arc<Runtime>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    runtime.metrics.observe_request(labels, started.elapsed());
    response
}

/// The policy of every response: only this origin's scripts, styles inline (the docs page
/// sets them from its scripts), images from here or `data:` URLs, never inside a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Standard security headers on every response (kept where a backend already set one, so
/// the gateway passes a service's own through).
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

fn panic_to_problem(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::internal("handler panicked").into_response()
}

/// A service's two routers: what its public listener serves, and its internal one.
#[derive(Debug)]
pub struct Routers {
    /// The API and the public shared endpoints.
    pub public: Router,
    /// `/health`, `/ready`, `/status` and `/metrics`.
    pub internal: Router,
}

/// The service's routers with the shared endpoints and layers around them.
pub fn app(runtime: Runtime, api: Router) -> Routers {
    app_with_docs(runtime, api, &[])
}

/// [`app`] whose `/docs` page also offers other OpenAPI documents, each as
/// `(name shown in the page's selector, URL the document is served from)`;
/// the gateway uses it to serve one docs page for every service.
pub fn app_with_docs(
    runtime: Runtime,
    api: Router,
    extra_docs: &[(&'static str, &'static str)],
) -> Routers {
    const OWN_DOC: &str = "/docs/openapi.json";
    let runtime = Arc::new(runtime);
    let mut docs =
        utoipa_swagger_ui::SwaggerUi::new(endpoints::DOCS).url(OWN_DOC, runtime.openapi.clone());
    if !extra_docs.is_empty() {
        let urls = std::iter::once(utoipa_swagger_ui::Url::new(runtime.spec.name, OWN_DOC)).chain(
            extra_docs
                .iter()
                .map(|(name, url)| utoipa_swagger_ui::Url::new(name, url)),
        );
        docs = docs.config(utoipa_swagger_ui::Config::new(urls));
    }
    let probes = Router::new()
        .route(endpoints::HEALTH, get(health))
        .route(endpoints::READY, get(ready));
    let public = Router::new()
        .merge(probes.clone())
        .route(endpoints::OPENAPI, get(openapi))
        .with_state(runtime.clone())
        .merge(docs)
        .merge(api)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::extract::MAX_BODY_BYTES,
        ))
        .layer(middleware::from_fn_with_state(
            runtime.clone(),
            record_metrics,
        ));
    let internal = probes
        .route(endpoints::STATUS, get(status))
        .route(endpoints::METRICS, get(metrics))
        .with_state(runtime);
    Routers {
        public: with_shell(public),
        internal: with_shell(internal),
    }
}

/// The layers around both routers: unknown routes and methods as problems, security
/// headers, request ids, request spans, panics as problems.
fn with_shell(router: Router) -> Router {
    router
        .fallback(crate::error::route_not_found)
        .method_not_allowed_fallback(crate::error::method_not_allowed)
        .layer(middleware::map_response(security_headers))
        .layer(
            // Outermost first: the request id exists before the span that logs
            // it, and a panic anywhere inside becomes a problem document.
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(CatchPanicLayer::custom(panic_to_problem)),
        )
}

fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default();
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
}

/// Serves both routers until `shutdown` is cancelled, then lets in-flight requests
/// finish; if either listener fails, the other is stopped too.
pub async fn serve(
    listeners: Listeners,
    routers: Routers,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let addrs = listeners.local_addrs()?;
    tracing::info!(public = %addrs.public, internal = %addrs.internal, "listening");
    let one = |listener: TcpListener, router: Router| {
        let shutdown = shutdown.clone();
        async move {
            let served = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown.clone().cancelled_owned())
            .await;
            shutdown.cancel();
            served
        }
    };
    let (public, internal) = tokio::join!(
        one(listeners.public, routers.public),
        one(listeners.internal, routers.internal)
    );
    public.and(internal)
}

/// A token cancelled on SIGTERM or Ctrl-C.
pub fn shutdown_on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            () = terminate => {},
        }
        tracing::info!("shutdown requested, finishing in-flight work");
        trigger.cancel();
    });
    token
}
