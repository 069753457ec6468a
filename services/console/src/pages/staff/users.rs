//! Users for staff: the accounts and their roles.

use askama::Template;
use axum::extract::{Path, Query, State};
use reqwest::Method;
use serde::Deserialize;

use crate::api::types::{Page, User};
use crate::api::with_query;
use crate::error::PageResult;
use crate::form::Form;
use crate::pages::staff::Search;
use crate::pages::{see_other, uuid};
use crate::state::AppState;
use crate::views::{Chrome, render};
use crate::visit::Visit;

#[derive(Template)]
#[template(path = "staff/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<User>,
    me: String,
    next: Option<String>,
}

/// `GET /staff/users`.
pub async fn list(
    State(state): State<AppState>,
    visit: Visit,
    Query(search): Query<Search>,
) -> PageResult {
    let me = visit.require_admin()?;
    let path = with_query(
        "/api/users",
        &[("limit", "50".into()), ("cursor", search.cursor)],
    );
    let page: Page<User> = state.api.get(&visit.caller(), "users", &path).await?;
    render(&UsersPage {
        chrome: Chrome::new(&visit, "Users", "staff-users"),
        users: page.items,
        me: me.id.to_string(),
        next: page
            .next_cursor
            .map(|c| with_query("/staff/users", &[("cursor", c)])),
    })
}

/// The role form.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    /// `customer` or `admin`.
    pub role: String,
}

/// `POST /staff/users/{id}/role`.
pub async fn change_role(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let body = serde_json::json!({ "role": form.role });
    state
        .api
        .act(
            &visit.caller(),
            "users",
            Method::PUT,
            &format!("/api/users/{id}/role"),
            Some(&body),
        )
        .await?;
    Ok(see_other("/staff/users?done=role"))
}
