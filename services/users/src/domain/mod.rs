//! Request and response types and their validation, as pure functions.

pub mod auth;
pub mod password;
pub mod user;
