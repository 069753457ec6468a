//! `/api/stores/{id}/inventory`: a store's stock, read by any signed-in user, set and
//! adjusted by admins. Every change writes a movement.

use axum::extract::State;
use kit::ApiResult;
use kit::auth::{Admin, Authenticated};
use kit::error::{ApiError, Problem};
use kit::extract::{Json, Path};
use kit::pagination::{List, PageParams, Paginated};
use uuid::Uuid;

use crate::domain::stock::{Adjustment, InventoryListParams, SetStock, StockItem};
use crate::ledger;
use crate::state::AppState;
use crate::store::{self, retrying};

async fn ensure_store(state: &AppState, id: Uuid) -> Result<(), ApiError> {
    match store::stores::get(&state.pool, id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found("store")),
    }
}

/// A store's stock: filter by category, below minimum and text (name, SKU); by SKU;
/// paginated.
#[utoipa::path(
    get, path = "/api/stores/{id}/inventory", tag = "inventory",
    params(("id" = Uuid, Path, description = "Store id"), InventoryListParams, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of stock items", body = Paginated<StockItem>),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "No such store", body = Problem),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    _user: Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    List { query, page }: List<InventoryListParams>,
) -> ApiResult<Json<Paginated<StockItem>>> {
    let items = store::stock::list(&state.pool, id, &query, &page).await?;
    // A store with stock exists: only an empty page needs the second query that tells
    // "no such store" (404) from "nothing matches" (an empty page).
    if items.items.is_empty() {
        ensure_store(&state, id).await?;
    }
    Ok(Json(Paginated::new(items, &page)))
}

/// One product's stock in a store.
#[utoipa::path(
    get, path = "/api/stores/{id}/inventory/{productId}", tag = "inventory",
    params(
        ("id" = Uuid, Path, description = "Store id"),
        ("productId" = Uuid, Path, description = "Product id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The item", body = StockItem),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "No such store, or no stock of the product there", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(
    _user: Authenticated,
    State(state): State<AppState>,
    Path((id, product_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Json<StockItem>> {
    ensure_store(&state, id).await?;
    store::stock::item(&state.pool, id, product_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("stock item"))
}

/// Sets on hand and/or the minimum (admin), creating the item if needed; writes a
/// movement. A product the inventory has not heard of yet is accepted (its details follow
/// with the catalog's next event about it).
#[utoipa::path(
    put, path = "/api/stores/{id}/inventory/{productId}", tag = "inventory",
    params(
        ("id" = Uuid, Path, description = "Store id"),
        ("productId" = Uuid, Path, description = "Product id"),
    ),
    request_body = SetStock,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The item after the change", body = StockItem),
        (status = 400, description = "Malformed JSON or id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such store", body = Problem),
        (status = 409, description = "Store closed, or onHand below the reserved units", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn put(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path((id, product_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<SetStock>,
) -> ApiResult<Json<StockItem>> {
    body.validate()?;
    let (state, body) = (&state, &body);
    let item = retrying(|| async move {
        let mut tx = state.pool.begin().await?;
        let item =
            ledger::set_stock(&mut tx, &state.outbox, id, product_id, body, admin.sub).await?;
        tx.commit().await?;
        Ok(item)
    })
    .await?;
    Ok(Json(item))
}

/// Adds or removes units (admin); on hand never drops below what is reserved. Writes a
/// movement.
#[utoipa::path(
    post, path = "/api/stores/{id}/inventory/{productId}/adjustments", tag = "inventory",
    params(
        ("id" = Uuid, Path, description = "Store id"),
        ("productId" = Uuid, Path, description = "Product id"),
    ),
    request_body = Adjustment,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The item after the change", body = StockItem),
        (status = 400, description = "Malformed JSON or id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such store", body = Problem),
        (status = 409, description = "Store closed, or not enough available units (named)", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn adjust(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path((id, product_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<Adjustment>,
) -> ApiResult<Json<StockItem>> {
    body.validate()?;
    let (state, body) = (&state, &body);
    let item = retrying(|| async move {
        let mut tx = state.pool.begin().await?;
        let item = ledger::adjust(&mut tx, &state.outbox, id, product_id, body, admin.sub).await?;
        tx.commit().await?;
        Ok(item)
    })
    .await?;
    Ok(Json(item))
}
