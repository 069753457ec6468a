//! `/api/categories`: public reads, admin writes.

use axum::extract::State;
use axum::http::StatusCode;
use kit::ApiResult;
use kit::auth::Admin;
use kit::error::{ApiError, Problem, ResultExt};
use kit::events::schema::{CATEGORY_CREATED, CategoryEvent};
use kit::extract::{Json, Path};
use kit::pagination::{List, PageParams, Paginated, Parsed};
use uuid::Uuid;

use crate::domain::category::{
    Category, CategoryDetail, CategoryListParams, CategoryPatch, NewCategory,
};
use crate::state::AppState;
use crate::store::categories as store;

const SLUG_KEY: &str = "categories_slug_key";
const PARENT_FKEY: &str = "categories_parent_fkey";

fn slug_taken() -> ApiError {
    ApiError::conflict("slug", "a category with this slug already exists")
}

fn unknown_parent() -> ApiError {
    ApiError::invalid("parentId", "no category has this id")
}

/// Lists categories, oldest first; `parentId` narrows to one category's children.
#[utoipa::path(
    get, path = "/api/categories", tag = "categories",
    params(CategoryListParams, PageParams),
    responses(
        (status = 200, description = "A page of categories", body = Paginated<Category>),
        (status = 422, description = "Bad parameter", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn list(
    State(state): State<AppState>,
    List {
        query: params,
        page,
    }: List<Parsed<CategoryListParams>>,
) -> ApiResult<Json<Paginated<Category>>> {
    let items = store::list(&state.pool, params.parent_id, &page).await?;
    Ok(Json(Paginated::new(items, &page)))
}

/// One category with its children and its path from the root.
#[utoipa::path(
    get, path = "/api/categories/{id}", tag = "categories",
    params(("id" = Uuid, Path, description = "Category id")),
    responses(
        (status = 200, description = "The category", body = CategoryDetail),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 404, description = "No such category", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CategoryDetail>> {
    let category = store::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found("category"))?;
    let children_ids = store::children_ids(&state.pool, id).await?;
    let path = store::path(&state.pool, id).await?;
    Ok(Json(CategoryDetail {
        category,
        children_ids,
        path,
    }))
}

/// Creates a category (admin); emits `category.created`.
#[utoipa::path(
    post, path = "/api/categories", tag = "categories",
    request_body = NewCategory,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Category),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 409, description = "Slug taken", body = Problem),
        (status = 422, description = "Invalid fields or unknown parentId", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn create(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Json(body): Json<NewCategory>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    body.validate()?;
    let mut tx = state.pool.begin().await?;
    if let Some(parent) = body.parent_id
        && !store::exists(&mut *tx, parent).await?
    {
        return Err(unknown_parent());
    }
    let category = store::insert(&mut *tx, &body.name, &body.slug, body.parent_id)
        .await
        .on_constraint(SLUG_KEY, slug_taken)
        .on_constraint(PARENT_FKEY, unknown_parent)?;
    state
        .outbox
        .enqueue(&mut tx, CATEGORY_CREATED, &CategoryEvent::from(&category))
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(category)))
}

/// Renames or moves a category (admin); it may not move below itself.
#[utoipa::path(
    patch, path = "/api/categories/{id}", tag = "categories",
    params(("id" = Uuid, Path, description = "Category id")),
    request_body = CategoryPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Category),
        (status = 400, description = "Malformed JSON or id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such category", body = Problem),
        (status = 409, description = "Slug taken", body = Problem),
        (status = 422, description = "Invalid fields, unknown parent or a cycle", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn update(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(patch): Json<CategoryPatch>,
) -> ApiResult<Json<Category>> {
    patch.validate(id)?;
    let mut tx = state.pool.begin().await?;
    if patch.parent_id.is_some() {
        store::lock_tree(&mut tx).await?;
    }
    let current = store::get(&mut *tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("category"))?;
    let parent = patch.parent_id.unwrap_or(current.parent_id);
    if let Some(parent) = parent.filter(|p| Some(*p) != current.parent_id) {
        if !store::exists(&mut *tx, parent).await? {
            return Err(unknown_parent());
        }
        if store::is_in_subtree(&mut *tx, id, parent).await? {
            return Err(ApiError::invalid(
                "parentId",
                "a category cannot be moved below itself (it would become its own ancestor)",
            ));
        }
    }
    let name = patch.name.unwrap_or(current.name);
    let slug = patch.slug.unwrap_or(current.slug);
    let category = store::update(&mut *tx, id, &name, &slug, parent)
        .await
        .on_constraint(SLUG_KEY, slug_taken)
        .on_constraint(PARENT_FKEY, unknown_parent)?
        .ok_or_else(|| ApiError::not_found("category"))?;
    tx.commit().await?;
    Ok(Json(category))
}

/// Deletes a category (admin) that has no children, products or pets.
#[utoipa::path(
    delete, path = "/api/categories/{id}", tag = "categories",
    params(("id" = Uuid, Path, description = "Category id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 401, description = "No or invalid token", body = Problem),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 404, description = "No such category", body = Problem),
        (status = 409, description = "It still has children, products or pets", body = Problem),
    )
)]
#[tracing::instrument(skip_all, err)]
pub async fn delete(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let in_use = || ApiError::state_conflict("the category still has children, products or pets");
    let mut tx = state.pool.begin().await?;
    // The tree lock keeps a concurrent move from adding a child while this one is checked.
    store::lock_tree(&mut tx).await?;
    let (children, products, pets) = store::dependents(&mut *tx, id).await?;
    let mut what = Vec::new();
    for (has, name) in [
        (children, "children"),
        (products, "products"),
        (pets, "pets"),
    ] {
        if has {
            what.push(name);
        }
    }
    if !what.is_empty() {
        return Err(ApiError::state_conflict(format!(
            "the category still has {}",
            what.join(", ")
        )));
    }
    // A product or pet added concurrently trips a foreign key instead.
    let deleted = store::delete(&mut *tx, id)
        .await
        .on_constraint(PARENT_FKEY, in_use)
        .on_constraint("products_category_fkey", in_use)
        .on_constraint("pets_category_fkey", in_use)?;
    if !deleted {
        return Err(ApiError::not_found("category"));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
