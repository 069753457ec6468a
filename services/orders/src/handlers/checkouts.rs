//! `POST /internal/checkouts`: the cart hands a checkout over synchronously, so that the
//! order behind checkout's `Location` can be read (as pending) from the moment checkout
//! answers.
//!
//! The route lives outside `/api`: the gateway routes only the contract's `/api/...`
//! prefixes, so it is never reachable from outside the store, and in a cluster the
//! NetworkPolicy of orders admits only the services that call it (the cart). The cart
//! forwards its caller's access token, and the order must belong to that caller.
//!
//! It creates exactly what the consumer of `cart.checked_out` would (same id, lines and
//! prices, same `order.created`), in one transaction. The event stays the reliable path:
//! whichever arrives second finds the order and changes nothing.

use axum::extract::State;
use axum::http::StatusCode;
use kit::ApiResult;
use kit::auth::Authenticated;
use kit::error::ApiError;
use kit::events::schema::CartCheckedOut;
use kit::extract::Json;

use super::not_found;
use crate::domain::order::Order;
use crate::events::create_from_checkout;
use crate::saga;
use crate::state::AppState;

/// Path of the internal checkout hand-over.
pub const PATH: &str = "/internal/checkouts";

/// Creates the pending order of a checkout: 201 when created, 200 when it existed already
/// (the event got there first, or the cart retried), 403 for another user's checkout, 422
/// for a checkout that cannot be an order.
#[tracing::instrument(skip_all, err)]
pub async fn create(
    Authenticated(claims): Authenticated,
    State(state): State<AppState>,
    Json(checkout): Json<CartCheckedOut>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    if checkout.user_id != claims.sub {
        return Err(ApiError::Forbidden(
            "a checkout can only be handed over for the caller's own cart".into(),
        ));
    }
    let mut tx = state.pool.begin().await?;
    let created = match create_from_checkout(&mut tx, &state.outbox, &checkout).await? {
        Ok(created) => created,
        Err(invalid) => return Err(ApiError::invalid("lines", invalid.reason)),
    };
    tx.commit().await?;
    let order = saga::load(&state.pool, checkout.order_id)
        .await?
        .filter(|order| order.user_id == claims.sub)
        .ok_or_else(not_found)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(order)))
}
