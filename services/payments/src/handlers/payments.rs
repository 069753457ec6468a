//! `/api/payments`: admins see every payment and its audit log; a customer sees the
//! payments of their own orders. Another customer's payment answers 404, exactly like one
//! that does not exist, so that ids cannot be probed.

use axum::extract::State;
use kit::ApiResult;
use kit::auth::{Admin, Authenticated};
use kit::error::{ApiError, Problem};
use kit::extract::{Json, Path};
use kit::owner;
use kit::pagination::{List, PageOf, PageParams, Paginated};
use uuid::Uuid;

use crate::domain::payment::{AuditEntry, Payment, PaymentListParams};
use crate::state::AppState;
use crate::store::payments as store;

fn not_found() -> ApiError {
    ApiError::not_found("payment")
}

/// Lists payments, newest first, filtered by `status`, `orderId` and (admins) `userId`.
/// A customer sees only their own, so `?orderId=` finds the payment of their order.
#[utoipa::path(
    get, path = "/api/payments", tag = "payments",
    params(PaymentListParams, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of payments", body = Paginated<Payment>),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    Authenticated(claims): Authenticated,
    State(state): State<AppState>,
    List { mut query, page }: List<PaymentListParams>,
) -> ApiResult<Json<Paginated<Payment>>> {
    if !owner::narrow(&claims, &mut query.user_id) {
        return Ok(Json(Paginated::new(PageOf::empty(), &page)));
    }
    let items = store::list(&state.pool, &query, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// One payment (an admin or its owner).
#[utoipa::path(
    get, path = "/api/payments/{id}", tag = "payments",
    params(("id" = Uuid, Path, description = "Payment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The payment", body = Payment),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "No such payment, or not yours", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(
    Authenticated(claims): Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Payment>> {
    owner::visible(&claims, store::get(&state.pool, id).await?, not_found).map(Json)
}

/// A payment's append-only audit log, oldest first (admin).
#[utoipa::path(
    get, path = "/api/payments/{id}/audit", tag = "payments",
    params(("id" = Uuid, Path, description = "Payment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every state change", body = Vec<AuditEntry>),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such payment", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn audit(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    store::get(&state.pool, id).await?.ok_or_else(not_found)?;
    Ok(Json(store::audit_log(&state.pool, id).await?))
}
