//! The PetStore service kit: everything the store's services share, written once.
//!
//! A service built on the kit is a library that declares what is its own (a
//! [`service::DataService`], or a [`service::Service`] for the two without a
//! database); the `petstore` binary runs any of them (`kit::cli`), and tests start
//! one on listeners of their own against the real PostgreSQL and RabbitMQ
//! (`kit::testing::Harness`).
#![forbid(unsafe_code)]

pub mod auth;
pub mod cli;
pub mod conditional;
pub mod config;
pub mod cursor;
pub mod db;
pub mod duration;
pub mod error;
pub mod events;
pub mod extract;
pub mod http;
pub mod listen;
pub mod metrics;
pub mod money;
pub mod notify;
pub mod openapi;
pub mod owner;
pub mod pagination;
pub mod patch;
pub mod record;
pub mod revocation;
pub mod role;
pub mod service;
pub mod sql;
pub mod supervise;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod upstream;
pub mod validate;
pub mod watch;

pub use error::{ApiError, ApiResult};
/// One list of routes and their OpenAPI operations (see [`service::DataService::api`]).
pub use utoipa_axum::{router::OpenApiRouter, routes};
