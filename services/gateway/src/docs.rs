//! One docs page for the whole store: the gateway serves every backend's
//! OpenAPI document under its own prefix, and its `/docs` page offers them all.

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kit::extract::Path;
use kit::{ApiError, ApiResult};

use crate::proxy::unavailable;
use crate::state::AppState;

/// Where the gateway serves `service`'s OpenAPI document.
pub fn document_path(service: &str) -> String {
    format!("/api/docs/{service}/openapi.json")
}

/// `(service, document path)` for every backend in the contract, computed
/// once per process (Swagger UI's configuration wants `'static` strings).
pub fn links() -> Vec<(&'static str, &'static str)> {
    static LINKS: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    LINKS
        .get_or_init(|| {
            petstore_contract::backends()
                .map(|spec| (spec.name, document_path(spec.name)))
                .collect()
        })
        .iter()
        .map(|(name, path)| (*name, path.as_str()))
        .collect()
}

/// A backend's OpenAPI document, fetched from it.
#[utoipa::path(
    get,
    path = "/api/docs/{service}/openapi.json",
    tag = "gateway",
    params(("service" = String, Path, description = "Service name, e.g. `users`")),
    responses(
        (status = 200, description = "The service's OpenAPI document", content_type = "application/json", body = Object),
        (status = 404, description = "No such service", body = kit::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The service is unavailable", body = kit::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn document(
    State(state): State<AppState>,
    Path(service): Path<String>,
) -> ApiResult<Response> {
    let backend = state
        .routes
        .backend(&service)
        .ok_or_else(|| ApiError::not_found("service"))?;
    let response = state
        .client
        .get(backend.url(petstore_contract::endpoints::OPENAPI))
        .send()
        .await
        .map_err(|err| unavailable(backend, err.is_timeout(), &err))?;
    if !response.status().is_success() {
        return Err(ApiError::Unavailable(format!(
            "the {} service did not serve its OpenAPI document ({})",
            backend.name,
            response.status().as_u16()
        )));
    }
    let body = response
        .bytes()
        .await
        .map_err(|err| unavailable(backend, err.is_timeout(), &err))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}
