//! `/api/orders`: create, list, read (conditionally, and waiting for a change), history.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{AppendHeaders, IntoResponse, Response};
use kit::ApiResult;
use kit::auth::Authenticated;
use kit::conditional::{self, Conditional};
use kit::error::{ApiError, Problem};
use kit::extract::{IDEMPOTENCY_KEY, IdempotencyKey, Json, Path};
use kit::owner;
use kit::pagination::{List, PageOf, PageParams, Paginated};
use tokio::time::Instant;
use uuid::Uuid;

use super::{not_found, visible};
use crate::domain::order::{NewOrder, Order, OrderListParams, StatusChange};
use crate::domain::pricing;
use crate::saga;
use crate::state::{AppState, MAX_WAIT};
use crate::store::orders::{self as store, NewOrderRow, OrderRow};

/// The answer to a repeated `Idempotency-Key`: the first request's order (200) if this
/// request is the same, else 422 (the key was reused for a different request; following
/// the IETF idempotency-key draft, 409 is kept for state conflicts).
async fn replay(
    state: &AppState,
    row: OrderRow,
    body: &NewOrder,
) -> ApiResult<(StatusCode, Json<Order>)> {
    let order = saga::with_lines(&state.pool, vec![row])
        .await?
        .pop()
        .ok_or_else(not_found)?;
    if body.matches(&order) {
        Ok((StatusCode::OK, Json(order)))
    } else {
        Err(ApiError::invalid(
            IDEMPOTENCY_KEY,
            "was already used for a different request",
        ))
    }
}

/// Creates an order priced from the catalog; emits `order.created`.
///
/// With an `Idempotency-Key` header (1–255 visible ASCII characters, scoped to the caller),
/// repeating the request returns the same order with 200 instead of creating another; the
/// same key with a different body is a 422 naming `Idempotency-Key`.
#[utoipa::path(
    post, path = "/api/orders", tag = "orders",
    request_body = NewOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key returns the same order", pattern = "^[!-~]{1,255}$")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Order),
        (status = 200, description = "Replay of an earlier request with the same Idempotency-Key", body = Order),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 422, description = "Invalid fields, unknown or inactive product, mixed currencies, reused key", body = Problem),
        (status = 503, description = "The catalog is unavailable", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn create(
    Authenticated(claims): Authenticated,
    State(state): State<AppState>,
    IdempotencyKey(key): IdempotencyKey,
    Json(body): Json<NewOrder>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    body.validate()?;
    if let Some(key) = &key
        && let Some(existing) = store::find_by_key(&state.pool, claims.sub, key).await?
    {
        return replay(&state, existing, &body).await;
    }
    let ids: Vec<Uuid> = body.lines.iter().map(|l| l.product_id).collect();
    let products = state.catalog.products(&ids).await?;
    let (lines, total) = pricing::price(&body, &products)?;
    let row = NewOrderRow {
        id: Uuid::new_v4(),
        user_id: claims.sub,
        store_id: body.store_id,
        total: &total,
        source: "api",
        cart_id: None,
        idempotency_key: key.as_deref(),
    };
    let mut tx = state.pool.begin().await?;
    if !saga::create(&mut tx, &state.outbox, &row, &lines).await? {
        // A concurrent request with the same key committed first (the insert waited for it).
        tx.rollback().await?;
        let existing = match &key {
            Some(key) => store::find_by_key(&state.pool, claims.sub, key).await?,
            None => None,
        };
        let existing = existing.ok_or_else(|| ApiError::internal("order insert conflicted"))?;
        return replay(&state, existing, &body).await;
    }
    tx.commit().await?;
    let order = saga::load(&state.pool, row.id)
        .await?
        .ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// Lists orders, newest first: a customer sees only their own (a `userId` filter cannot
/// widen that), an admin sees all and may filter by `status` and `userId`.
#[utoipa::path(
    get, path = "/api/orders", tag = "orders",
    params(OrderListParams, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of orders", body = Paginated<Order>),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    Authenticated(claims): Authenticated,
    State(state): State<AppState>,
    List { mut query, page }: List<OrderListParams>,
) -> ApiResult<Json<Paginated<Order>>> {
    if !owner::narrow(&claims, &mut query.user_id) {
        return Ok(Json(Paginated::new(PageOf::empty(), &page)));
    }
    let mut found = store::list(&state.pool, &query, &page).await?;
    let orders = saga::with_lines(&state.pool, std::mem::take(&mut found.items)).await?;
    Ok(Json(Paginated::new(found.with_items(orders), &page)))
}

/// One order (its owner or an admin; anyone else gets 404), with its `ETag`.
///
/// A conditional read (`If-None-Match` naming the order's current `ETag`, or `*`) answers
/// `304 Not Modified` without a body. With `Prefer: wait=N` as well (whole seconds, at most
/// [`MAX_WAIT`]; a malformed preference is ignored), it waits for the order to change: 200
/// with the new order as soon as it changes, else 304 after N seconds, both with
/// `Preference-Applied: wait=N`. The change may be made by any replica; waiting holds no
/// database connection. When too many requests wait already, it answers at once.
#[utoipa::path(
    get, path = "/api/orders/{id}", tag = "orders",
    params(
        ("id" = Uuid, Path, description = "Order id"),
        ("If-None-Match" = Option<String>, Header, description = "ETags of the order the client has (or `*`): 304 while the order still has one of them"),
        ("Prefer" = Option<String>, Header, description = "`wait=N` (seconds, at most 25) with a matching If-None-Match: wait up to N seconds for the order to change"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The order (after a change, when waiting)", body = Order,
            headers(("ETag" = String, description = "Changes whenever the order does"),
                    ("Preference-Applied" = Option<String>, description = "`wait=N` when the request waited"))),
        (status = 304, description = "Not modified: the order still has a tag of If-None-Match (after waiting, with Prefer: wait)",
            headers(("ETag" = String, description = "The order's current tag"),
                    ("Preference-Applied" = Option<String>, description = "`wait=N` when the request waited"))),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "No such order, or not yours", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(
    Authenticated(claims): Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    conditional: Conditional,
) -> ApiResult<Response> {
    // Ownership first: someone else's order is a 404 before anything waits.
    let mut row = visible(&claims, store::get(&state.pool, id).await?)?;
    if !conditional.not_modified(&row.etag()) {
        return answer(&state, row, None).await;
    }
    let Some(wait) = conditional.wait_for(MAX_WAIT) else {
        return Ok(not_modified(&row, None));
    };
    // Registered before the order is read again, so that no change committed after that
    // read goes unnoticed.
    let Some(mut waiter) = state.changes.subscribe(id) else {
        return Ok(not_modified(&row, None));
    };
    let deadline = Instant::now() + wait;
    loop {
        row = visible(&claims, store::get(&state.pool, id).await?)?;
        if !conditional.not_modified(&row.etag()) {
            drop(waiter);
            return answer(&state, row, Some(wait)).await;
        }
        match tokio::time::timeout_at(deadline, waiter.changed()).await {
            // Changed (or every waiter was woken to look): read it again.
            Ok(true) => {}
            // Timed out, or the service is stopping.
            Err(_) | Ok(false) => return Ok(not_modified(&row, Some(wait))),
        }
    }
}

/// 200 with the order and its `ETag` (and `Preference-Applied` when it waited).
async fn answer(state: &AppState, row: OrderRow, waited: Option<Duration>) -> ApiResult<Response> {
    let etag = row.etag();
    let order = saga::with_lines(&state.pool, vec![row])
        .await?
        .pop()
        .ok_or_else(not_found)?;
    Ok(applied(
        (AppendHeaders([etag.header()]), Json(order)).into_response(),
        waited,
    ))
}

/// 304 with the order's `ETag` (and `Preference-Applied` when it waited), no body.
fn not_modified(row: &OrderRow, waited: Option<Duration>) -> Response {
    applied(
        (
            StatusCode::NOT_MODIFIED,
            AppendHeaders([row.etag().header()]),
        )
            .into_response(),
        waited,
    )
}

/// `response` with `Preference-Applied: wait=N` when the request waited.
fn applied(mut response: Response, waited: Option<Duration>) -> Response {
    if let Some(waited) = waited {
        let (name, value) = conditional::wait_applied(waited);
        response.headers_mut().insert(name, value);
    }
    response
}

/// An order's status history, oldest first (its owner or an admin).
#[utoipa::path(
    get, path = "/api/orders/{id}/history", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every status change", body = Vec<StatusChange>),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "No such order, or not yours", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn history(
    Authenticated(claims): Authenticated,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<StatusChange>>> {
    visible(&claims, store::get(&state.pool, id).await?)?;
    Ok(Json(store::history(&state.pool, id).await?))
}
