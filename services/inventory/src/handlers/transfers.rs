//! `/api/inventory/transfers`: admin moves units between stores; any signed-in user reads.

use axum::extract::State;
use axum::http::StatusCode;
use kit::ApiResult;
use kit::auth::{Admin, Authenticated};
use kit::error::{ApiError, Problem};
use kit::extract::{Json, Path};
use kit::pagination::{List, PageParams, Paginated, Parsed};
use uuid::Uuid;

use crate::domain::transfer::{NewTransfer, Transfer, TransferListParams};
use crate::ledger;
use crate::state::AppState;
use crate::store::{self, retrying};

/// Moves units of a product from one open store to another (admin), atomically: both stock
/// rows, a `transfer_out` and a `transfer_in` movement and the transfer record.
#[utoipa::path(
    post, path = "/api/inventory/transfers", tag = "transfers",
    request_body = NewTransfer,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Done", body = Transfer),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 409, description = "A store is closed, or not enough available units (the detail names how many)", body = Problem),
        (status = 422, description = "Invalid fields or unknown store (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn create(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Json(body): Json<NewTransfer>,
) -> ApiResult<(StatusCode, Json<Transfer>)> {
    body.validate()?;
    let (state, body, actor) = (&state, &body, admin.sub);
    let transfer = retrying(|| async move {
        let mut tx = state.pool.begin().await?;
        let transfer = ledger::transfer(&mut tx, &state.outbox, body, actor).await?;
        tx.commit().await?;
        Ok(transfer)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(transfer)))
}

/// Lists transfers, newest first: filter by store (either side) and product; paginated.
#[utoipa::path(
    get, path = "/api/inventory/transfers", tag = "transfers",
    params(TransferListParams, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of transfers", body = Paginated<Transfer>),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    _user: Authenticated,
    State(state): State<AppState>,
    List {
        query: params,
        page,
    }: List<Parsed<TransferListParams>>,
) -> ApiResult<Json<Paginated<Transfer>>> {
    let items =
        store::transfers::list(&state.pool, params.store_id, params.product_id, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// One transfer.
#[utoipa::path(
    get, path = "/api/inventory/transfers/{id}", tag = "transfers",
    params(("id" = Uuid, Path, description = "Transfer id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The transfer", body = Transfer),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "No such transfer", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(
    _user: Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Transfer>> {
    store::transfers::get(&state.pool, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("transfer"))
}
