//! `/api/products`: public reads, admin writes.
//!
//! Deleting a product removes its row (a hard delete): orders keep their own copy of
//! what was bought, `product.deleted` carries what consumers need to let go of it, and the
//! SKU becomes free again for a new product.

use axum::extract::State;
use axum::http::StatusCode;
use kit::ApiResult;
use kit::auth::Admin;
use kit::error::{ApiError, Problem, ResultExt};
use kit::events::schema::{
    PRODUCT_CREATED, PRODUCT_DELETED, PRODUCT_UPDATED, ProductEvent, ProductUpdated,
};
use kit::extract::{Json, Path, Query};
use kit::pagination::{PageParams, Paginated};
use uuid::Uuid;

use super::{ensure_category, unknown_category};
use crate::domain::product::{NewProduct, Product, ProductFields, ProductListParams, ProductPatch};
use crate::events::Change as _;
use crate::state::AppState;
use crate::store::products as store;

const SKU_KEY: &str = "products_sku_key";
const CATEGORY_FKEY: &str = "products_category_fkey";

fn sku_taken() -> ApiError {
    ApiError::conflict("sku", "a product with this sku already exists")
}

fn not_found() -> ApiError {
    ApiError::not_found("product")
}

/// Lists products: filter by category subtree, price range, currency, active flag and
/// text; sort; paginate.
#[utoipa::path(
    get, path = "/api/products", tag = "products",
    params(ProductListParams, PageParams),
    responses(
        (status = 200, description = "A page of products", body = Paginated<Product>),
        (status = 422, description = "Bad parameter (named)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ProductListParams>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Paginated<Product>>> {
    let (query, page) = params.validate(&page)?;
    let items = store::list(&state.pool, &query, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// One product.
#[utoipa::path(
    get, path = "/api/products/{id}", tag = "products",
    params(("id" = Uuid, Path, description = "Product id")),
    responses(
        (status = 200, description = "The product", body = Product),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 404, description = "No such product", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(State(state): State<AppState>, Path(id): Path<Uuid>) -> ApiResult<Json<Product>> {
    store::get(&state.pool, id)
        .await?
        .map(Json)
        .ok_or_else(not_found)
}

/// Creates a product (admin); emits `product.created`.
#[utoipa::path(
    post, path = "/api/products", tag = "products",
    request_body = NewProduct,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Product),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 409, description = "SKU taken", body = Problem),
        (status = 422, description = "Invalid fields or unknown categoryId", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn create(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Json(body): Json<NewProduct>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    let fields = ProductFields::from(body).normalized();
    fields.validate()?;
    let mut tx = state.pool.begin().await?;
    ensure_category(&mut *tx, fields.category_id).await?;
    let product = store::insert(&mut *tx, &fields)
        .await
        .on_constraint(SKU_KEY, sku_taken)
        .on_constraint(CATEGORY_FKEY, unknown_category)?;
    state
        .outbox
        .enqueue(&mut tx, PRODUCT_CREATED, &ProductEvent::from(&product))
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(product)))
}

/// Changes the given fields of a product (admin); emits `product.updated` with the previous
/// and current price and active flag when anything changed.
#[utoipa::path(
    patch, path = "/api/products/{id}", tag = "products",
    params(("id" = Uuid, Path, description = "Product id")),
    request_body = ProductPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Product),
        (status = 400, description = "Malformed JSON or id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such product", body = Problem),
        (status = 409, description = "SKU taken", body = Problem),
        (status = 422, description = "Invalid fields or unknown categoryId", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn update(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(patch): Json<ProductPatch>,
) -> ApiResult<Json<Product>> {
    let mut tx = state.pool.begin().await?;
    let before = store::get_for_update(&mut *tx, id)
        .await?
        .ok_or_else(not_found)?;
    let current = before.fields();
    let fields = patch.apply(&current).normalized();
    fields.validate()?;
    if fields == current {
        return Ok(Json(before));
    }
    if fields.category_id != current.category_id {
        ensure_category(&mut *tx, fields.category_id).await?;
    }
    let after = store::update(&mut *tx, id, &fields)
        .await
        .on_constraint(SKU_KEY, sku_taken)
        .on_constraint(CATEGORY_FKEY, unknown_category)?
        .ok_or_else(not_found)?;
    state
        .outbox
        .enqueue(
            &mut tx,
            PRODUCT_UPDATED,
            &ProductUpdated::new(&before, &after),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Deletes a product (admin); emits `product.deleted`.
#[utoipa::path(
    delete, path = "/api/products/{id}", tag = "products",
    params(("id" = Uuid, Path, description = "Product id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such product", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn delete(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = state.pool.begin().await?;
    let product = store::delete(&mut *tx, id).await?.ok_or_else(not_found)?;
    state
        .outbox
        .enqueue(&mut tx, PRODUCT_DELETED, &ProductEvent::from(&product))
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
