//! The back office, for administrators: the dashboard, the catalog, stores and stock,
//! orders and users. Every handler asks for an administrator first.

pub mod catalog;
pub mod dashboard;
pub mod orders;
pub mod stores;
pub mod users;
