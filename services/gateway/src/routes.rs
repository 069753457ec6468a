//! The gateway's routes: its own endpoints, and every other `/api` path
//! forwarded by prefix.

use axum::Router;
use axum::routing::{any, get};
use utoipa::OpenApi;

use crate::config::AllowedOrigins;
use crate::state::AppState;
use crate::{cors, docs, health, proxy};

#[derive(OpenApi)]
#[openapi(
    paths(health::aggregate, docs::document),
    components(schemas(health::HealthReport, health::ServiceHealth, health::OverallStatus, kit::error::Problem)),
    tags((name = "gateway", description = "The store's entry point: aggregated health and every service's API documents"))
)]
struct ApiDoc;

/// The gateway's API router. Static routes win over the catch-all, so
/// `/api/health` and the documents are the gateway's own; the rest of `/api`
/// is forwarded (or 404 when no backend claims it), and every other path goes to the
/// console (503 when the store runs without it).
pub fn router(state: AppState, origins: &AllowedOrigins) -> Router {
    Router::new()
        .route("/api/health", get(health::aggregate))
        .route("/api/docs/{service}/openapi.json", get(docs::document))
        .route("/api", any(proxy::forward))
        .route("/api/{*path}", any(proxy::forward))
        // Every other path is a page of the console (the contract's `/` route); the
        // shared endpoints (`/health`, `/docs`, ...) are static routes and stay the gateway's.
        .route("/", any(proxy::forward))
        .route("/{*path}", any(proxy::forward))
        .with_state(state)
        .layer(cors::layer(origins))
}

/// The gateway's own OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore gateway API")
}
