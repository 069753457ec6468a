//! Thin HTTP handlers: extract, validate, call the store in one transaction with the
//! event, answer.

pub mod reviews;
pub mod summary;
