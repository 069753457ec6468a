//! `/api/orders/{id}/cancel|ship|deliver`: the transitions people make.

use axum::body::Bytes;
use axum::extract::State;
use kit::ApiResult;
use kit::auth::{Admin, Authenticated};
use kit::error::{ApiError, Problem};
use kit::extract::{Json, Path, parse_json};
use uuid::Uuid;

use super::{not_found, visible};
use crate::domain::order::{CancelRequest, Order, OrderStatus, ShipRequest};
use crate::saga::{self, Outcome, Transition};
use crate::state::AppState;
use crate::store::orders as store;

/// Applies a transition in one transaction and answers the order after it; 409 when the
/// order's status does not allow it.
async fn run(state: &AppState, id: Uuid, transition: Transition) -> ApiResult<Json<Order>> {
    let mut tx = state.pool.begin().await?;
    match saga::apply(&mut tx, &state.outbox, id, &transition).await? {
        Outcome::Moved(_) => tx.commit().await?,
        Outcome::Refused(status) => {
            return Err(refused(&transition, status));
        }
        Outcome::Missing => return Err(not_found()),
    }
    saga::load(&state.pool, id)
        .await?
        .map(Json)
        .ok_or_else(not_found)
}

fn refused(transition: &Transition, status: OrderStatus) -> ApiError {
    let allowed: Vec<_> = transition.edge().0.iter().map(|s| s.as_str()).collect();
    ApiError::state_conflict(format!(
        "the order is {}; this is only possible when it is {}",
        status.as_str(),
        allowed.join(" or ")
    ))
}

/// Cancels an order (its owner or an admin) before it ships; emits `order.cancelled` with
/// `wasPaid`. Payments refunds a completed payment; inventory releases the stock.
#[utoipa::path(
    post, path = "/api/orders/{id}/cancel", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body(content = Option<CancelRequest>, description = "Optional reason"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled", body = Order),
        (status = 400, description = "Malformed id or JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "No such order, or not yours", body = Problem),
        (status = 409, description = "Already shipped, delivered, failed or cancelled", body = Problem),
        (status = 422, description = "Invalid reason", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn cancel(
    Authenticated(claims): Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> ApiResult<Json<Order>> {
    let request: CancelRequest = if body.iter().all(u8::is_ascii_whitespace) {
        CancelRequest::default()
    } else {
        // `null` says as much as no body: no reason given.
        parse_json::<Option<CancelRequest>>(&body)?.unwrap_or_default()
    };
    request.validate()?;
    visible(&claims, store::get(&state.pool, id).await?)?;
    let who = if claims.is_admin() {
        "admin"
    } else {
        "customer"
    };
    let reason = request
        .reason
        .map(|r| r.trim().to_string())
        .unwrap_or_else(|| format!("cancelled by the {who}"));
    run(&state, id, Transition::Cancel { reason }).await
}

/// Ships a paid order (admin), recording the carrier and tracking number.
#[utoipa::path(
    post, path = "/api/orders/{id}/ship", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = ShipRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Shipped", body = Order),
        (status = 400, description = "Malformed id or JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such order", body = Problem),
        (status = 409, description = "Not paid", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn ship(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(body): Json<ShipRequest>,
) -> ApiResult<Json<Order>> {
    body.validate()?;
    let transition = Transition::Ship {
        carrier: body.carrier,
        tracking_number: body.tracking_number,
    };
    run(&state, id, transition).await
}

/// Marks a shipped order delivered (admin).
#[utoipa::path(
    post, path = "/api/orders/{id}/deliver", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Delivered", body = Order),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such order", body = Problem),
        (status = 409, description = "Not shipped", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn deliver(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Order>> {
    run(&state, id, Transition::Deliver).await
}
