//! `/api/reviews`: public reads; writing needs a token, changing or deleting a review
//! needs its author or an administrator.

use axum::extract::State;
use axum::http::StatusCode;
use kit::ApiResult;
use kit::auth::{Authenticated, Claims};
use kit::error::{ApiError, Problem, ResultExt};
use kit::events::schema::{REVIEW_CREATED, ReviewCreated};
use kit::extract::{Json, Path};
use kit::pagination::{List, PageParams, Paginated};
use uuid::Uuid;

use crate::domain::review::{NewReview, Review, ReviewFields, ReviewListParams, ReviewPatch};
use crate::state::AppState;
use crate::store;
use crate::store::reviews as reviews_store;

const USER_PRODUCT_KEY: &str = "reviews_user_product_key";

fn not_found() -> ApiError {
    ApiError::not_found("review")
}

fn already_reviewed() -> ApiError {
    ApiError::conflict("productId", "you have already reviewed this product")
}

/// 403 unless the caller wrote the review or is an administrator.
fn ensure_author_or_admin(caller: &Claims, review: &Review) -> Result<(), ApiError> {
    if caller.may_access(review.user_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the review's author or an admin may change it".into(),
        ))
    }
}

/// Lists reviews: filter by product, author, verified flag and stars; sort; paginate.
#[utoipa::path(
    get, path = "/api/reviews", tag = "reviews",
    params(ReviewListParams, PageParams),
    responses(
        (status = 200, description = "A page of reviews", body = Paginated<Review>),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    State(state): State<AppState>,
    List { query, page }: List<ReviewListParams>,
) -> ApiResult<Json<Paginated<Review>>> {
    let items = reviews_store::list(&state.pool, &query, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// One review.
#[utoipa::path(
    get, path = "/api/reviews/{id}", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    responses(
        (status = 200, description = "The review", body = Review),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 404, description = "No such review", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(State(state): State<AppState>, Path(id): Path<Uuid>) -> ApiResult<Json<Review>> {
    reviews_store::get(&state.pool, id)
        .await?
        .map(Json)
        .ok_or_else(not_found)
}

/// Writes the caller's review of a product (one per product); verified when the caller
/// has a paid order containing it. Emits `review.created`.
#[utoipa::path(
    post, path = "/api/reviews", tag = "reviews",
    request_body = NewReview,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Review),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 409, description = "The caller already reviewed this productId", body = Problem),
        (status = 422, description = "Invalid fields (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn create(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    Json(body): Json<NewReview>,
) -> ApiResult<(StatusCode, Json<Review>)> {
    let fields = ReviewFields::from(&body).normalized();
    fields.validate()?;
    let mut tx = state.pool.begin().await?;
    store::lock_user(&mut *tx, caller.sub).await?;
    let verified = store::purchases::exists(&mut *tx, caller.sub, body.product_id).await?;
    let review = reviews_store::insert(&mut *tx, body.product_id, caller.sub, &fields, verified)
        .await
        .on_constraint(USER_PRODUCT_KEY, already_reviewed)?;
    state
        .outbox
        .enqueue(&mut tx, REVIEW_CREATED, &ReviewCreated::from(&review))
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(review)))
}

/// Changes the given fields of a review (its author or an admin).
#[utoipa::path(
    patch, path = "/api/reviews/{id}", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = ReviewPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Review),
        (status = 400, description = "Malformed JSON or id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Neither the author nor an admin", body = Problem),
        (status = 404, description = "No such review", body = Problem),
        (status = 422, description = "Invalid fields (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn update(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(patch): Json<ReviewPatch>,
) -> ApiResult<Json<Review>> {
    let mut tx = state.pool.begin().await?;
    let before = reviews_store::get_for_update(&mut *tx, id)
        .await?
        .ok_or_else(not_found)?;
    ensure_author_or_admin(&caller, &before)?;
    let current = before.fields();
    let fields = patch.apply(&current).normalized();
    fields.validate()?;
    if fields == current {
        return Ok(Json(before));
    }
    let after = reviews_store::update(&mut *tx, id, &fields)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Deletes a review (its author or an admin).
#[utoipa::path(
    delete, path = "/api/reviews/{id}", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Neither the author nor an admin", body = Problem),
        (status = 404, description = "No such review", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn delete(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = state.pool.begin().await?;
    let review = reviews_store::get_for_update(&mut *tx, id)
        .await?
        .ok_or_else(not_found)?;
    ensure_author_or_admin(&caller, &review)?;
    reviews_store::delete(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
