//! `/api/stores`: authenticated reads, admin writes. Closing a store keeps it and its
//! history; it only stops its stock from changing.

use axum::extract::State;
use axum::http::StatusCode;
use kit::ApiResult;
use kit::auth::{Admin, Authenticated};
use kit::error::{ApiError, Problem, ResultExt};
use kit::extract::{Json, Path};
use kit::pagination::{List, PageParams, Paginated};
use uuid::Uuid;

use crate::domain::store::{NewStore, Store, StoreFields, StoreListParams, StorePatch};
use crate::state::AppState;
use crate::store::stores as store;

const CODE_KEY: &str = "stores_code_key";

fn code_taken(code: &str) -> impl FnOnce() -> ApiError + '_ {
    move || ApiError::conflict("code", format!("a store with code {code} already exists"))
}

fn not_found() -> ApiError {
    ApiError::not_found("store")
}

/// Lists stores: filter by status and text (code, name, city); oldest first; paginated.
#[utoipa::path(
    get, path = "/api/stores", tag = "stores",
    params(StoreListParams, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of stores", body = Paginated<Store>),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    _user: Authenticated,
    State(state): State<AppState>,
    List { query, page }: List<StoreListParams>,
) -> ApiResult<Json<Paginated<Store>>> {
    let items = store::list(&state.pool, &query, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// One store.
#[utoipa::path(
    get, path = "/api/stores/{id}", tag = "stores",
    params(("id" = Uuid, Path, description = "Store id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The store", body = Store),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "No such store", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(
    _user: Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Store>> {
    store::get(&state.pool, id)
        .await?
        .map(Json)
        .ok_or_else(not_found)
}

/// Opens a store (admin).
#[utoipa::path(
    post, path = "/api/stores", tag = "stores",
    request_body = NewStore,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Store),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 409, description = "Code taken", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn create(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Json(body): Json<NewStore>,
) -> ApiResult<(StatusCode, Json<Store>)> {
    let fields = StoreFields::from(body);
    fields.validate()?;
    let created = store::insert(&state.pool, &fields)
        .await
        .on_constraint(CODE_KEY, code_taken(&fields.code))?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Changes the given fields of a store (admin).
#[utoipa::path(
    patch, path = "/api/stores/{id}", tag = "stores",
    params(("id" = Uuid, Path, description = "Store id")),
    request_body = StorePatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Store),
        (status = 400, description = "Malformed JSON or id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such store", body = Problem),
        (status = 409, description = "Code taken", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn update(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(patch): Json<StorePatch>,
) -> ApiResult<Json<Store>> {
    let mut tx = state.pool.begin().await?;
    let before = store::get_for_update(&mut *tx, id)
        .await?
        .ok_or_else(not_found)?;
    let fields = patch.apply(&before);
    fields.validate()?;
    if fields == before.fields() {
        return Ok(Json(before));
    }
    let after = store::update(&mut *tx, id, &fields)
        .await
        .on_constraint(CODE_KEY, code_taken(&fields.code))?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Closes a store (admin): it keeps its history but its stock no longer changes and it
/// takes part in no transfer or reservation. Closing a closed store changes nothing.
#[utoipa::path(
    post, path = "/api/stores/{id}/close", tag = "stores",
    params(("id" = Uuid, Path, description = "Store id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Closed", body = Store),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such store", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn close(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Store>> {
    // The row lock waits for stock changes in flight (they share-lock the store) to finish.
    store::close(&state.pool, id)
        .await?
        .map(Json)
        .ok_or_else(not_found)
}
