//! `/api/inventory/movements` and `/api/inventory/alerts`: the ledger and what is short,
//! across stores, for any signed-in user.

use axum::extract::State;
use kit::ApiResult;
use kit::auth::Authenticated;
use kit::error::Problem;
use kit::extract::Json;
use kit::pagination::{List, PageParams, Paginated, Parsed};

use crate::domain::movement::{Movement, MovementListParams};
use crate::domain::stock::{AlertListParams, StockItem};
use crate::state::AppState;
use crate::store;

/// Movements, newest first: filter by store, product and time range (`from` inclusive,
/// `to` exclusive, RFC 3339); paginated.
#[utoipa::path(
    get, path = "/api/inventory/movements", tag = "inventory",
    params(MovementListParams, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of movements", body = Paginated<Movement>),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    _user: Authenticated,
    State(state): State<AppState>,
    List { query, page }: List<MovementListParams>,
) -> ApiResult<Json<Paginated<Movement>>> {
    let items = store::movements::list(&state.pool, &query, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// Items whose available quantity is below their minimum, in open stores (optionally one
/// store), largest shortfall first; paginated.
#[utoipa::path(
    get, path = "/api/inventory/alerts", tag = "inventory",
    params(AlertListParams, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of items below their minimum", body = Paginated<StockItem>),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn alerts(
    _user: Authenticated,
    State(state): State<AppState>,
    List {
        query: params,
        page,
    }: List<Parsed<AlertListParams>>,
) -> ApiResult<Json<Paginated<StockItem>>> {
    let items = store::stock::alerts(&state.pool, params.store_id, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}
