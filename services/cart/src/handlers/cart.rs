//! `/api/cart`: the caller's open cart.

use axum::extract::State;
use axum::http::StatusCode;
use kit::ApiResult;
use kit::auth::Authenticated;
use kit::error::Problem;
use kit::extract::Json;

use super::{open_cart, view};
use crate::domain::cart::Cart;
use crate::state::AppState;
use crate::store;

/// The caller's open cart with current prices and totals; opened (announced with
/// `cart.created`) on first use.
#[utoipa::path(
    get, path = "/api/cart", tag = "cart",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's open cart", body = Cart),
        (status = 401, description = "No or invalid token", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
) -> ApiResult<Json<Cart>> {
    let mut tx = state.pool.begin().await?;
    let cart = open_cart(&mut tx, &state.outbox, caller.sub).await?;
    let cart = view(&mut tx, &cart).await?;
    tx.commit().await?;
    Ok(Json(cart))
}

/// Empties the caller's cart.
#[utoipa::path(
    delete, path = "/api/cart", tag = "cart",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Emptied"),
        (status = 401, description = "No or invalid token", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn clear(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
) -> ApiResult<StatusCode> {
    let mut tx = state.pool.begin().await?;
    let cart = open_cart(&mut tx, &state.outbox, caller.sub).await?;
    store::items::clear(&mut *tx, cart.id).await?;
    store::carts::touch(&mut *tx, cart.id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
