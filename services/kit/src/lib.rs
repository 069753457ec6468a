//! The PetStore service kit: everything the store's services share, written once.
//!
//! A service built on the kit is a library with a [`service::Service`]
//! implementation; its binary is one line (`kit::cli::main::<MyService>()`),
//! and tests start it on a listener of their own against the real PostgreSQL
//! and RabbitMQ.
#![forbid(unsafe_code)]

pub mod auth;
pub mod cli;
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
pub mod openapi;
pub mod owner;
pub mod pagination;
pub mod patch;
pub mod record;
pub mod revocation;
pub mod service;
pub mod sql;
pub mod supervise;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod upstream;
pub mod validate;

pub use error::{ApiError, ApiResult};
