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
