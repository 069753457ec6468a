//! `/api/pets`: public reads, admin writes.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use kit::ApiResult;
use kit::auth::Admin;
use kit::error::{ApiError, Problem, ResultExt};
use kit::events::schema::{PET_CREATED, PET_DELETED, PET_UPDATED, PetEvent, PetUpdated};
use kit::extract::{Json, Path, Query};
use kit::pagination::{PageParams, Paginated};
use uuid::Uuid;

use super::{ensure_category, unknown_category};
use crate::domain::pet::{NewPet, Pet, PetFields, PetListParams, PetPatch};
use crate::events::Change as _;
use crate::state::AppState;
use crate::store::pets as store;

const CATEGORY_FKEY: &str = "pets_category_fkey";

fn not_found() -> ApiError {
    ApiError::not_found("pet")
}

/// Lists pets: filter by category subtree, species, status, tags (all of them), price
/// range and text; sort; paginate.
#[utoipa::path(
    get, path = "/api/pets", tag = "pets",
    params(PetListParams, PageParams),
    responses(
        (status = 200, description = "A page of pets", body = Paginated<Pet>),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<PetListParams>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Paginated<Pet>>> {
    let (query, page) = params.validate(&page)?;
    let items = store::list(&state.pool, &query, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// One pet.
#[utoipa::path(
    get, path = "/api/pets/{id}", tag = "pets",
    params(("id" = Uuid, Path, description = "Pet id")),
    responses(
        (status = 200, description = "The pet", body = Pet),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 404, description = "No such pet", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(State(state): State<AppState>, Path(id): Path<Uuid>) -> ApiResult<Json<Pet>> {
    store::get(&state.pool, id)
        .await?
        .map(Json)
        .ok_or_else(not_found)
}

/// Creates a pet (admin); emits `pet.created`.
#[utoipa::path(
    post, path = "/api/pets", tag = "pets",
    request_body = NewPet,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Pet),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 422, description = "Invalid fields or unknown categoryId", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn create(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Json(body): Json<NewPet>,
) -> ApiResult<(StatusCode, Json<Pet>)> {
    let fields = PetFields::from(body).normalized();
    fields.validate(Utc::now().date_naive())?;
    let mut tx = state.pool.begin().await?;
    ensure_category(&mut *tx, fields.category_id).await?;
    let pet = store::insert(&mut *tx, &fields)
        .await
        .on_constraint(CATEGORY_FKEY, unknown_category)?;
    state
        .outbox
        .enqueue(&mut tx, PET_CREATED, &PetEvent::from(&pet))
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(pet)))
}

/// Changes the given fields of a pet (admin); emits `pet.updated` when anything changed.
#[utoipa::path(
    patch, path = "/api/pets/{id}", tag = "pets",
    params(("id" = Uuid, Path, description = "Pet id")),
    request_body = PetPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Pet),
        (status = 400, description = "Malformed JSON or id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such pet", body = Problem),
        (status = 422, description = "Invalid fields or unknown categoryId", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn update(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(patch): Json<PetPatch>,
) -> ApiResult<Json<Pet>> {
    let mut tx = state.pool.begin().await?;
    let before = store::get_for_update(&mut *tx, id)
        .await?
        .ok_or_else(not_found)?;
    let current = before.fields();
    let fields = patch.apply(&current).normalized();
    fields.validate(Utc::now().date_naive())?;
    if fields == current {
        return Ok(Json(before));
    }
    if fields.category_id != current.category_id {
        ensure_category(&mut *tx, fields.category_id).await?;
    }
    let after = store::update(&mut *tx, id, &fields)
        .await
        .on_constraint(CATEGORY_FKEY, unknown_category)?
        .ok_or_else(not_found)?;
    state
        .outbox
        .enqueue(&mut tx, PET_UPDATED, &PetUpdated::new(&before, &after))
        .await?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Deletes a pet (admin); emits `pet.deleted`.
#[utoipa::path(
    delete, path = "/api/pets/{id}", tag = "pets",
    params(("id" = Uuid, Path, description = "Pet id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such pet", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn delete(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = state.pool.begin().await?;
    let pet = store::delete(&mut *tx, id).await?.ok_or_else(not_found)?;
    state
        .outbox
        .enqueue(&mut tx, PET_DELETED, &PetEvent::from(&pet))
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
