//! Seam for the backup issue: the pg_dump CronJobs (schedule, retention,
//! on-demand and restore) are built here from `spec.backup` and returned with
//! the other children, so the reconciler applies and garbage-collects them
//! without change. Add `CronJob` to [`super::managed_kinds`] and a
//! `BackupReady` condition in `status` when it lands.
//!
//! Database NetworkPolicies already admit pods labelled with the component
//! [`COMPONENT`] of the same instance.

use super::Child;
use crate::crd::PetStore;

/// `app.kubernetes.io/component` of backup job pods.
pub const COMPONENT: &str = "backup";

/// The backup objects of a PetStore: none yet.
pub fn build(_ps: &PetStore) -> Vec<Child> {
    Vec::new()
}
