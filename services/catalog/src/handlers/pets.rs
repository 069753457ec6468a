//! `/api/pets`: public reads, admin writes.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use kit::ApiResult;
use kit::auth::Admin;
use kit::error::{ApiError, Problem};
use kit::events::schema::{PET_CREATED, PET_DELETED, PET_UPDATED, PetEvent, PetUpdated};
use kit::extract::{Json, Path};
use kit::pagination::{List, PageParams, Paginated};
use uuid::Uuid;

use super::items::{self, Item, not_found};
use crate::domain::pet::{NewPet, Pet, PetFields, PetListParams, PetPatch};
use crate::events::Change as _;
use crate::state::AppState;
use crate::store::pets as store;

impl Item for Pet {
    type Fields = PetFields;
    type Row = store::PetRow;
    type Event = PetEvent;
    type Updated = PetUpdated;

    const NAME: &'static str = "pet";
    const CREATED: &'static str = PET_CREATED;
    const UPDATED: &'static str = PET_UPDATED;
    const DELETED: &'static str = PET_DELETED;
    const CATEGORY_FKEY: &'static str = "pets_category_fkey";

    fn fields(&self) -> PetFields {
        Pet::fields(self)
    }

    fn category(fields: &PetFields) -> Uuid {
        fields.category_id
    }

    // A birth date may not lie in the future, so the check needs today.
    fn validate(fields: &PetFields) -> Result<(), ApiError> {
        fields.validate(Utc::now().date_naive())
    }

    fn updated(before: &Self, after: &Self) -> PetUpdated {
        PetUpdated::new(before, after)
    }
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
    List { query, page }: List<PetListParams>,
) -> ApiResult<Json<Paginated<Pet>>> {
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
        .ok_or_else(not_found::<Pet>)
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
    let pet = items::create::<Pet>(&state, fields).await?;
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
    let change = |current: &PetFields| patch.apply(current).normalized();
    Ok(Json(items::update::<Pet>(&state, id, change).await?))
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
    items::delete::<Pet>(&state, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
