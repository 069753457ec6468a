//! The whole store on one machine: creates the databases, runs the
//! migrations, generates a development signing key, starts every service
//! binary on loopback and waits until each is ready.
//!
//! `petstore-local` (the README's first command) and the end-to-end tests
//! both run the store through [`Stack`], so what the tests exercise is what
//! a newcomer runs.
#![forbid(unsafe_code)]

pub mod bench;
mod preflight;
mod process;
mod stack;
mod vhost;

pub use preflight::{check_broker, check_database};
pub use stack::{LOCAL_POOL_SIZE, Stack, StackError, StackOptions};
pub use vhost::{MANAGEMENT_URL_VAR, VhostError, VirtualHost};
