//! petstore-operator: one `PetStore` resource reconciled into the whole store.
//!
//! The pipeline: [`crd`] (the resource) → [`build`] (pure builders) →
//! [`reconcile`] (validate, apply, prune, status) run by [`controller`];
//! [`render`] prints the
//! build step offline.
#![forbid(unsafe_code)]

pub mod build;
pub mod controller;
pub mod crd;
pub mod error;
pub mod fixtures;
pub mod leader;
pub mod metrics;
pub mod reconcile;
pub mod render;
pub mod status;
pub mod telemetry;

pub use crd::{PetStore, PetStoreSpec, PetStoreStatus};
pub use error::Error;
