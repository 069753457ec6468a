//! The state of every supervised worker, as `/status` and `/ready` show it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a supervised worker is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkerState {
    /// Started and not ended.
    Running,
    /// Ended or panicked before shutdown; waiting out its backoff before it starts again.
    Restarting,
    /// Ended because the service is shutting down.
    Stopped,
}

/// One worker in the `/status` document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WorkerReport {
    /// The worker's name (`outbox-relay`, `consumer:<queue>`, `retention`, ...).
    pub name: String,
    /// What it is doing.
    pub state: WorkerState,
    /// How often it was started again after ending or panicking.
    pub restarts: u64,
    /// Why it last ended before shutdown (`panicked: ...`, the error it returned, or that it
    /// returned at all); absent if it never did.
    pub last_failure: Option<String>,
    /// When it last ended before shutdown.
    pub last_failure_at: Option<DateTime<Utc>>,
}

/// The table of a service's workers; cloning shares it.
///
/// Empty for a service without workers, in which case `/ready` does not mention them.
#[derive(Debug, Clone, Default)]
pub struct Workers {
    table: Arc<Mutex<BTreeMap<String, WorkerReport>>>,
}

impl Workers {
    /// Every worker, by name.
    #[must_use]
    pub fn reports(&self) -> Vec<WorkerReport> {
        self.lock().values().cloned().collect()
    }

    /// Whether there is no worker at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Whether every worker is running (true when there is none).
    #[must_use]
    pub fn all_running(&self) -> bool {
        self.lock()
            .values()
            .all(|worker| worker.state == WorkerState::Running)
    }

    /// Adds a running worker under `name`, or under `name#2`, `name#3`... if that name is
    /// taken; returns the name it got.
    pub(crate) fn add(&self, name: &str) -> String {
        let mut table = self.lock();
        let mut unique = name.to_owned();
        let mut n = 1;
        while table.contains_key(&unique) {
            n += 1;
            unique = format!("{name}#{n}");
        }
        table.insert(
            unique.clone(),
            WorkerReport {
                name: unique.clone(),
                state: WorkerState::Running,
                restarts: 0,
                last_failure: None,
                last_failure_at: None,
            },
        );
        unique
    }

    /// Records that `name` ended before shutdown because of `reason`.
    pub(crate) fn failed(&self, name: &str, reason: String) {
        self.update(name, |worker| {
            worker.state = WorkerState::Restarting;
            worker.last_failure = Some(reason);
            worker.last_failure_at = Some(Utc::now());
        });
    }

    /// Records that `name` was started again.
    pub(crate) fn restarted(&self, name: &str) {
        self.update(name, |worker| {
            worker.state = WorkerState::Running;
            worker.restarts += 1;
        });
    }

    /// Records that `name` ended for shutdown.
    pub(crate) fn stopped(&self, name: &str) {
        self.update(name, |worker| worker.state = WorkerState::Stopped);
    }

    fn update(&self, name: &str, change: impl FnOnce(&mut WorkerReport)) {
        if let Some(worker) = self.lock().get_mut(name) {
            change(worker);
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, WorkerReport>> {
        // The table is consistent after every update, so a panic elsewhere while it was
        // held leaves nothing half-done.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_and_restart_show_in_the_report() {
        let workers = Workers::default();
        assert!(workers.is_empty() && workers.all_running());
        let name = workers.add("relay");
        assert!(!workers.is_empty() && workers.all_running());

        workers.failed(&name, "panicked: boom".into());
        assert!(!workers.all_running());
        let report = &workers.reports()[0];
        assert_eq!(report.state, WorkerState::Restarting);
        assert_eq!(report.last_failure.as_deref(), Some("panicked: boom"));
        assert!(report.last_failure_at.is_some());
        assert_eq!(report.restarts, 0);

        workers.restarted(&name);
        assert!(workers.all_running());
        let report = &workers.reports()[0];
        assert_eq!((report.state, report.restarts), (WorkerState::Running, 1));
        assert_eq!(report.last_failure.as_deref(), Some("panicked: boom"));

        workers.stopped(&name);
        assert!(!workers.all_running());
    }

    #[test]
    fn names_are_made_unique() {
        let workers = Workers::default();
        assert_eq!(workers.add("consumer:q"), "consumer:q");
        assert_eq!(workers.add("consumer:q"), "consumer:q#2");
        assert_eq!(workers.add("consumer:q"), "consumer:q#3");
        assert_eq!(workers.reports().len(), 3);
    }
}
