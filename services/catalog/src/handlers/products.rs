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
use kit::extract::{Json, Path};
use kit::pagination::{List, PageParams, Paginated};
use uuid::Uuid;

use super::items::{self, Item, not_found};
use crate::domain::product::{NewProduct, Product, ProductFields, ProductListParams, ProductPatch};
use crate::events::Change as _;
use crate::state::AppState;
use crate::store::products as store;

const SKU_KEY: &str = "products_sku_key";

fn sku_taken() -> ApiError {
    ApiError::conflict("sku", "a product with this sku already exists")
}

impl Item for Product {
    type Fields = ProductFields;
    type Row = store::ProductRow;
    type Event = ProductEvent;
    type Updated = ProductUpdated;

    const NAME: &'static str = "product";
    const CREATED: &'static str = PRODUCT_CREATED;
    const UPDATED: &'static str = PRODUCT_UPDATED;
    const DELETED: &'static str = PRODUCT_DELETED;
    const CATEGORY_FKEY: &'static str = "products_category_fkey";

    fn fields(&self) -> ProductFields {
        Product::fields(self)
    }

    fn category(fields: &ProductFields) -> Uuid {
        fields.category_id
    }

    fn validate(fields: &ProductFields) -> Result<(), ApiError> {
        fields.validate()
    }

    fn updated(before: &Self, after: &Self) -> ProductUpdated {
        ProductUpdated::new(before, after)
    }

    fn on_conflict<T>(written: Result<T, ApiError>) -> Result<T, ApiError> {
        written.on_constraint(SKU_KEY, sku_taken)
    }
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
    List { query, page }: List<ProductListParams>,
) -> ApiResult<Json<Paginated<Product>>> {
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
        .ok_or_else(not_found::<Product>)
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
    let product = items::create::<Product>(&state, fields).await?;
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
    let change = |current: &ProductFields| patch.apply(current).normalized();
    Ok(Json(items::update::<Product>(&state, id, change).await?))
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
    items::delete::<Product>(&state, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
