//! `POST /api/cart/checkout`: the cart becomes an order.
//!
//! The cart chooses the order's id and hands everything to the orders service as
//! `cart.checked_out`, written in the same transaction that closes the cart; the orders
//! service creates the order with exactly that id. Once that transaction is committed, the
//! cart also hands the same checkout to the orders service synchronously
//! (`POST /internal/checkouts`, see [`crate::orders`]), so the order behind `Location` is
//! readable as `pending` from the moment checkout answers. The event is written deferred
//! (published [`FALLBACK_DELAY`] after the commit) and withdrawn once the hand-over
//! succeeded, so it costs a publish, a delivery and a consumer transaction only when it is
//! needed: if the call fails, checkout still answers and the event creates the order a few
//! seconds later.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use kit::ApiResult;
use kit::auth::Authenticated;
use kit::error::{ApiError, Problem};
use kit::events::schema::{CART_CHECKED_OUT, CartCheckedOut};
use kit::extract::{IdempotencyKey, Json};
use uuid::Uuid;

use super::{items_of, open_cart};
use crate::domain::checkout::{CheckoutAccepted, CheckoutRequest, order_lines};
use crate::orders::FALLBACK_DELAY;
use crate::state::AppState;
use crate::store;

type Accepted = (
    StatusCode,
    [(header::HeaderName, String); 1],
    Json<CheckoutAccepted>,
);

fn accepted(order_id: Uuid) -> Accepted {
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, format!("/api/orders/{order_id}"))],
        Json(CheckoutAccepted::pending(order_id)),
    )
}

/// Checks the caller's cart out to a store: emits `cart.checked_out` (which creates the
/// order) and closes the cart; the next use opens a new, empty one. With an
/// `Idempotency-Key`, a repeated request answers with the same order and checks out
/// nothing more.
#[utoipa::path(
    post, path = "/api/cart/checkout", tag = "cart",
    request_body = CheckoutRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key answers with the same order", pattern = "^[!-~]{1,255}$")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Accepted; the order is pending (see Location)", body = CheckoutAccepted,
            headers(("Location" = String, description = "/api/orders/{orderId}"))),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 409, description = "Empty cart, unavailable items, mixed currencies, or the key was used for another store", body = Problem),
        (status = 422, description = "Bad storeId or Idempotency-Key", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn checkout(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    Json(body): Json<CheckoutRequest>,
) -> ApiResult<Accepted> {
    let mut tx = state.pool.begin().await?;
    if let Some(key) = key.as_deref() {
        store::carts::lock_user(&mut *tx, caller.sub).await?;
        if let Some(done) = store::carts::checkout_by_key(&mut *tx, caller.sub, key).await? {
            if done.store_id != body.store_id {
                return Err(ApiError::conflict(
                    "Idempotency-Key",
                    "this key was already used to check out to another store",
                ));
            }
            return Ok(accepted(done.order_id));
        }
    }
    let cart = open_cart(&mut tx, &state.outbox, caller.sub).await?;
    let items = items_of(&mut tx, cart.id).await?;
    let (lines, total) = order_lines(&items)?;
    let order_id = Uuid::new_v4();
    let event = CartCheckedOut {
        cart_id: Some(cart.id),
        user_id: caller.sub,
        order_id,
        store_id: body.store_id,
        lines,
        total,
    };
    store::carts::check_out(&mut *tx, cart.id, order_id, body.store_id, key.as_deref()).await?;
    let fallback = state
        .outbox
        .enqueue_deferred(&mut tx, CART_CHECKED_OUT, &event, FALLBACK_DELAY)
        .await?;
    tx.commit().await?;
    if hand_over(&state, &headers, &event).await
        && let Err(error) = state.outbox.withdraw(&state.pool, fallback).await
    {
        // Published when due, and applied as a duplicate: the order exists already.
        tracing::warn!(%error, order_id = %order_id, "cart.checked_out not withdrawn after the hand-over");
    }
    Ok(accepted(order_id))
}

/// Hands the committed checkout to the orders service on behalf of the caller (their own
/// token), so the order exists before checkout answers; `true` if orders took it. Only
/// after the commit: an order must never exist for a checkout that did not happen. A
/// failure is logged and left to `cart.checked_out`.
async fn hand_over(state: &AppState, headers: &HeaderMap, event: &CartCheckedOut) -> bool {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(token) = token else {
        return false;
    };
    let request_id = headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok());
    match state.orders.hand_over(token, request_id, event).await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, order_id = %event.order_id, "checkout not handed over synchronously; the order follows from cart.checked_out");
            false
        }
    }
}
