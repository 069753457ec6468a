//! The payments service's routes and OpenAPI document.

use kit::{OpenApiRouter, routes};
use utoipa::OpenApi;

use crate::domain::Money;
use crate::domain::payment::{AuditEntry, Payment, PaymentStatus};
use crate::handlers::payments;
use crate::state::AppState;

/// Every route with its OpenAPI operation (one list: the router and the document are
/// made from it).
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(payments::list))
        .routes(routes!(payments::get))
        .routes(routes!(payments::audit))
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        Money, Payment, PaymentStatus, AuditEntry, kit::error::Problem, kit::error::FieldError,
    )),
    tags((name = "payments", description = "Payments, refunds and their audit log"))
)]
struct ApiDoc;

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = kit::service::openapi::<crate::Payments>();
        for path in [
            "/api/payments",
            "/api/payments/{id}",
            "/api/payments/{id}/audit",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
