//! Thin HTTP handlers: extract, validate, call the store, answer.

pub mod auth;
pub mod users;

/// Media type of every error body, for the OpenAPI responses.
pub(crate) const PROBLEM: &str = kit::error::PROBLEM_JSON;
