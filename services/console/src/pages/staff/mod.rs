//! The back office, for administrators: the dashboard, the catalog, stores and stock,
//! orders and users. Every handler asks for an administrator first.

pub mod categories;
pub mod dashboard;
pub mod orders;
pub mod pets;
pub mod products;
pub mod stores;
pub mod users;

use serde::Deserialize;

use crate::api::ApiFailure;
use crate::error::ConsoleError;
use crate::pages::uuid;
use crate::state::AppState;
use crate::visit::Visit;

/// Deletes the catalog's `/api/{collection}/{id}` as the signed-in administrator. The outer
/// error stops the page (not an administrator, a malformed id); the inner one is the
/// catalog's answer, for a caller that shows a refusal on its page.
pub async fn delete_from_catalog(
    state: &AppState,
    visit: &Visit,
    collection: &str,
    id: &str,
) -> Result<Result<(), ApiFailure>, ConsoleError> {
    visit.require_admin()?;
    let id = uuid(id)?;
    Ok(state
        .api
        .act(
            &visit.caller(),
            "catalog",
            reqwest::Method::DELETE,
            &format!("/api/{collection}/{id}"),
            None,
        )
        .await)
}

/// `?q=&cursor=` of a staff list.
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    /// Search text.
    #[serde(default)]
    pub q: String,
    /// Keyset cursor.
    #[serde(default)]
    pub cursor: String,
}
