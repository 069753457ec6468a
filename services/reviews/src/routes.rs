//! The reviews' routes and OpenAPI document.

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::domain::review::{NewReview, Review, ReviewPatch, ReviewSort};
use crate::domain::summary::{Distribution, RatingSummary};
use crate::handlers::{reviews, summary};
use crate::state::AppState;

/// Every reviews route, under the contract's prefix.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/reviews", get(reviews::list).post(reviews::create))
        .route(
            "/api/reviews/{id}",
            get(reviews::get)
                .patch(reviews::update)
                .delete(reviews::delete),
        )
        .route(
            "/api/reviews/products/{productId}/summary",
            get(summary::get),
        )
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        reviews::list, reviews::get, reviews::create, reviews::update, reviews::delete,
        summary::get,
    ),
    components(schemas(
        Review, NewReview, ReviewPatch, ReviewSort, RatingSummary, Distribution,
        kit::error::Problem, kit::error::FieldError,
    )),
    tags((name = "reviews", description = "Product reviews and ratings"))
)]
struct ApiDoc;

/// The reviews' OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore reviews API")
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = super::openapi();
        for path in [
            "/api/reviews",
            "/api/reviews/{id}",
            "/api/reviews/products/{productId}/summary",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
