//! `petstore-load`: a crowd of simulated visitors, shoppers and staff against a
//! PetStore gateway.
//!
//! Users are hatched at a rate up to a number, each runs one scenario's visits with
//! think times between pages until the run time is over; every request is measured per
//! endpoint. While it runs, progress is printed every few seconds; at the end, tables per
//! endpoint and per scenario, and the reports (HTML with charts, JSON, CSV). Why this is
//! its own engine rather than goose: docs/load.md.
#![forbid(unsafe_code)]

pub mod client;
pub mod config;
pub mod duration;
pub mod histogram;
pub mod metrics;
pub mod progress;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod seed;
pub mod session;
pub mod target;
pub mod world;

pub use config::Config;
pub use runner::{Outcome, RunError, main_run, run};
