//! `/api/cart/items`: adding, changing and removing products.
//!
//! An added product is looked up in the catalog (it must exist and be on sale) and its
//! SKU, name and price are captured; from then on the catalog's events keep them current.

use axum::extract::State;
use axum::http::StatusCode;
use kit::ApiResult;
use kit::auth::Authenticated;
use kit::error::{ApiError, Problem};
use kit::extract::{Json, Path};
use uuid::Uuid;

use super::{items_of, open_cart, view};
use crate::domain::cart::{Cart, NewItem, QuantityChange, combined_quantity, ensure_same_currency};
use crate::state::AppState;
use crate::store;
use crate::store::items::Captured;

fn not_in_cart() -> ApiError {
    ApiError::not_found("cart item")
}

/// Quantities are bounded by 99, so they always fit the column.
fn as_column(quantity: i64) -> Result<i32, ApiError> {
    i32::try_from(quantity).map_err(|_| ApiError::invalid("quantity", "out of range"))
}

/// Adds a product to the caller's cart (or more of it, up to 99 in all) at its current
/// catalog price.
#[utoipa::path(
    post, path = "/api/cart/items", tag = "cart",
    request_body = NewItem,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added; the whole cart", body = Cart),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 422, description = "Bad quantity, unknown or inactive productId, or another currency than the cart's", body = Problem),
        (status = 503, description = "The catalog is unavailable", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn add(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    Json(body): Json<NewItem>,
) -> ApiResult<(StatusCode, Json<Cart>)> {
    body.validate()?;
    // Looked up before the transaction: no row is locked while the catalog answers.
    let product = state
        .catalog
        .product(body.product_id)
        .await?
        .ok_or_else(|| ApiError::invalid("productId", "no product has this id"))?;
    if !product.active {
        return Err(ApiError::invalid("productId", "the product is not on sale"));
    }
    let price = product.price.clone();
    let mut tx = state.pool.begin().await?;
    let cart = open_cart(&mut tx, &state.outbox, caller.sub).await?;
    let items = items_of(&mut tx, cart.id).await?;
    ensure_same_currency(
        &price.currency,
        items.iter().filter(|i| i.product_id != product.id),
    )?;
    let current = items
        .iter()
        .find(|i| i.product_id == product.id)
        .map_or(0, |i| i.quantity);
    let quantity = combined_quantity(current, body.quantity)?;
    let captured = Captured {
        product_id: product.id,
        sku: &product.sku,
        name: &product.name,
        unit_price: &price,
    };
    store::items::upsert(&mut *tx, cart.id, &captured, as_column(quantity)?).await?;
    store::carts::touch(&mut *tx, cart.id).await?;
    let view = view(&mut tx, &cart).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Sets the quantity of a product in the caller's cart; 0 removes it.
#[utoipa::path(
    patch, path = "/api/cart/items/{productId}", tag = "cart",
    params(("productId" = Uuid, Path, description = "Product id")),
    request_body = QuantityChange,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed; the whole cart", body = Cart),
        (status = 400, description = "Malformed JSON or productId", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "The product is not in the cart", body = Problem),
        (status = 422, description = "Quantity outside 0–99", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn update(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    Path(product_id): Path<Uuid>,
    Json(body): Json<QuantityChange>,
) -> ApiResult<Json<Cart>> {
    body.validate()?;
    let mut tx = state.pool.begin().await?;
    let cart = open_cart(&mut tx, &state.outbox, caller.sub).await?;
    let found = if body.quantity == 0 {
        store::items::remove(&mut *tx, cart.id, product_id).await?
    } else {
        store::items::set_quantity(&mut *tx, cart.id, product_id, as_column(body.quantity)?).await?
    };
    if !found {
        return Err(not_in_cart());
    }
    store::carts::touch(&mut *tx, cart.id).await?;
    let view = view(&mut tx, &cart).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Removes a product from the caller's cart.
#[utoipa::path(
    delete, path = "/api/cart/items/{productId}", tag = "cart",
    params(("productId" = Uuid, Path, description = "Product id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Malformed productId", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 404, description = "The product is not in the cart", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn remove(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    Path(product_id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = state.pool.begin().await?;
    let cart = open_cart(&mut tx, &state.outbox, caller.sub).await?;
    if !store::items::remove(&mut *tx, cart.id, product_id).await? {
        return Err(not_in_cart());
    }
    store::carts::touch(&mut *tx, cart.id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
