//! The reviews' routes and OpenAPI document.

use kit::{OpenApiRouter, routes};
use utoipa::OpenApi;

use crate::domain::review::{NewReview, Review, ReviewPatch, ReviewSort};
use crate::domain::summary::{Distribution, RatingSummary};
use crate::handlers::{reviews, summary};
use crate::state::AppState;

/// Every route with its OpenAPI operation (one list: the router and the document are
/// made from it).
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(reviews::list, reviews::create))
        .routes(routes!(reviews::get, reviews::update, reviews::delete))
        .routes(routes!(summary::get))
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        Review, NewReview, ReviewPatch, ReviewSort, RatingSummary, Distribution,
        kit::error::Problem, kit::error::FieldError,
    )),
    tags((name = "reviews", description = "Product reviews and ratings"))
)]
struct ApiDoc;

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = kit::service::openapi::<crate::Reviews>();
        for path in [
            "/api/reviews",
            "/api/reviews/{id}",
            "/api/reviews/products/{productId}/summary",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
