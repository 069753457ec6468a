//! `GET /api/reviews/products/{productId}/summary`: how a product is rated.

use axum::extract::State;
use kit::ApiResult;
use kit::error::Problem;
use kit::extract::{Json, Path};
use uuid::Uuid;

use crate::domain::summary::RatingSummary;
use crate::state::AppState;
use crate::store;

/// A product's average rating, review count and star distribution (public; a product
/// without reviews has count 0 and no average).
#[utoipa::path(
    get, path = "/api/reviews/products/{productId}/summary", tag = "reviews",
    params(("productId" = Uuid, Path, description = "Product id")),
    responses(
        (status = 200, description = "The product's rating summary", body = RatingSummary),
        (status = 400, description = "Malformed productId", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(
    State(state): State<AppState>,
    Path(product_id): Path<Uuid>,
) -> ApiResult<Json<RatingSummary>> {
    let distribution = store::reviews::distribution(&state.pool, product_id).await?;
    Ok(Json(RatingSummary::new(product_id, distribution)))
}
