//! Thin HTTP handlers: payments are only read over HTTP.

pub mod payments;
