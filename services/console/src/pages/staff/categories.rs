//! Categories for staff: the tree, create, rename or move, delete.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::types::Category;
use crate::error::PageResult;
use crate::form::Form;
use crate::pages::products::{categories, names};
use crate::pages::{Choice, Empty, see_other, uuid};
use crate::problem::{FormErrors, Refusal};
use crate::state::AppState;
use crate::views::{Chrome, render_with};
use crate::visit::Visit;

/// The category form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CategoryForm {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// URL-safe name.
    #[serde(default)]
    pub slug: String,
    /// Parent id (empty for a top-level category).
    #[serde(default, rename = "parentId")]
    pub parent_id: String,
}

#[derive(Template)]
#[template(path = "staff/categories.html")]
struct CategoriesPage {
    chrome: Chrome,
    categories: Vec<(String, String, String, String)>,
    parents: Vec<Choice>,
    form: CategoryForm,
    errors: FormErrors,
}

async fn categories_page(
    state: &AppState,
    visit: &Visit,
    form: CategoryForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let all: Vec<Category> = categories(state, &visit.caller()).await?;
    let names = names(&all);
    let mut parents = vec![Choice {
        value: String::new(),
        label: "None (top level)".into(),
        selected: form.parent_id.is_empty(),
    }];
    parents.extend(all.iter().map(|c| Choice {
        value: c.id.to_string(),
        label: c.name.clone(),
        selected: form.parent_id == c.id.to_string(),
    }));
    render_with(
        status,
        &CategoriesPage {
            chrome: Chrome::new(visit, "Categories", "staff-categories"),
            categories: all
                .iter()
                .map(|c| {
                    let parent = c
                        .parent_id
                        .and_then(|p| names.get(&p).cloned())
                        .unwrap_or_default();
                    (c.id.to_string(), c.name.clone(), c.slug.clone(), parent)
                })
                .collect(),
            parents,
            form,
            errors,
        },
    )
}

/// `GET /staff/categories`.
pub async fn categories_list(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_admin()?;
    categories_page(
        &state,
        &visit,
        CategoryForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// `POST /staff/categories`.
pub async fn create_category(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<CategoryForm>,
) -> PageResult {
    visit.require_admin()?;
    let mut body = serde_json::json!({ "name": form.name, "slug": form.slug });
    if !form.parent_id.is_empty() {
        body["parentId"] = serde_json::Value::String(form.parent_id.clone());
    }
    match state
        .api
        .send::<serde_json::Value>(
            &visit.caller(),
            "catalog",
            Method::POST,
            "/api/categories",
            &body,
        )
        .await
        .refusal(&[("name", "name"), ("slug", "slug"), ("parentId", "parentId")])?
    {
        Ok(_) => Ok(see_other("/staff/categories?done=created")),
        Err(errors) => {
            categories_page(
                &state,
                &visit,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /staff/categories/{id}/delete`.
pub async fn delete_category(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    match super::delete_from_catalog(&state, &visit, "categories", &id)
        .await?
        .refusal(&[])?
    {
        Ok(()) => Ok(see_other("/staff/categories?done=deleted")),
        Err(errors) => {
            categories_page(
                &state,
                &visit,
                CategoryForm::default(),
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "staff/category_form.html")]
struct CategoryFormPage {
    chrome: Chrome,
    id: String,
    form: CategoryForm,
    parents: Vec<Choice>,
    errors: FormErrors,
}

async fn category_form(
    state: &AppState,
    visit: &Visit,
    id: Uuid,
    form: CategoryForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let all = categories(state, &visit.caller()).await?;
    let mut parents = vec![Choice {
        value: String::new(),
        label: "None (top level)".into(),
        selected: form.parent_id.is_empty(),
    }];
    parents.extend(all.iter().filter(|c| c.id != id).map(|c| Choice {
        value: c.id.to_string(),
        label: c.name.clone(),
        selected: form.parent_id == c.id.to_string(),
    }));
    render_with(
        status,
        &CategoryFormPage {
            chrome: Chrome::new(visit, format!("Edit {}", form.name), "staff-categories"),
            id: id.to_string(),
            form,
            parents,
            errors,
        },
    )
}

/// `GET /staff/categories/{id}`.
pub async fn edit_category(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let category = categories(&state, &visit.caller())
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(crate::error::ConsoleError::NotFound)?;
    let form = CategoryForm {
        name: category.name,
        slug: category.slug,
        parent_id: category
            .parent_id
            .map(|p| p.to_string())
            .unwrap_or_default(),
    };
    category_form(&state, &visit, id, form, FormErrors::none(), StatusCode::OK).await
}

/// `POST /staff/categories/{id}`.
pub async fn update_category(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let parent = (!form.parent_id.is_empty()).then(|| form.parent_id.clone());
    let body = serde_json::json!({ "name": form.name, "slug": form.slug, "parentId": parent });
    match state
        .api
        .send::<serde_json::Value>(
            &visit.caller(),
            "catalog",
            Method::PATCH,
            &format!("/api/categories/{id}"),
            &body,
        )
        .await
        .refusal(&[("name", "name"), ("slug", "slug"), ("parentId", "parentId")])?
    {
        Ok(_) => Ok(see_other("/staff/categories?done=saved")),
        Err(errors) => {
            category_form(
                &state,
                &visit,
                id,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
