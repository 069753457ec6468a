//! Thin HTTP handlers: extract, validate, run the change and its events in one
//! transaction, answer.
//!
//! Reads need any valid token (stock is not public, but every signed-in user may see it);
//! writes need an administrator.

pub mod movements;
pub mod stock;
pub mod stores;
pub mod transfers;
