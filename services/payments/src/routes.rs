//! The payments service's routes and OpenAPI document.

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::domain::Money;
use crate::domain::payment::{AuditEntry, Payment, PaymentStatus};
use crate::handlers::payments;
use crate::state::AppState;

/// Every payments route, under the contract's prefix.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/payments", get(payments::list))
        .route("/api/payments/{id}", get(payments::get))
        .route("/api/payments/{id}/audit", get(payments::audit))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(payments::list, payments::get, payments::audit),
    components(schemas(
        Money, Payment, PaymentStatus, AuditEntry, kit::error::Problem, kit::error::FieldError,
    )),
    tags((name = "payments", description = "Payments, refunds and their audit log"))
)]
struct ApiDoc;

/// The payments service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore payments API")
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = super::openapi();
        for path in [
            "/api/payments",
            "/api/payments/{id}",
            "/api/payments/{id}/audit",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
