//! What every reconcile shares: the client, the metrics, where the children are read from,
//! the Event recorder and the failure counts the backoff reads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::ObjectReference;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Client, Resource};
use tracing::warn;

use super::observe::{Caches, Source};
use crate::build::FIELD_MANAGER;
use crate::crd::PetStore;
use crate::metrics::Metrics;

/// What every reconcile shares.
pub struct Context {
    /// The API client.
    pub client: Client,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Where reconciles read the children from.
    pub children: Source,
    recorder: Recorder,
    failures: Mutex<HashMap<String, u32>>,
}

impl Context {
    /// A context for `client`; `instance` names this operator replica in Events.
    pub fn new(client: Client, metrics: Arc<Metrics>, instance: Option<String>) -> Self {
        let reporter = Reporter {
            controller: FIELD_MANAGER.into(),
            instance,
        };
        Self {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            metrics,
            children: Source::Api,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// The same context reading the children from `caches` instead of
    /// listing them.
    pub fn with_caches(mut self, caches: Arc<Caches>) -> Self {
        self.children = Source::Cache(caches);
        self
    }

    /// Publishes an Event on `ps` (a failure to publish is only logged).
    ///
    /// kube's recorder folds Events with the same type, reason, action and
    /// related object into one series that keeps its *first* note, so each
    /// distinct happening must differ in one of those: `action` says what was
    /// done, `about` names the child it was done to.
    pub async fn event_about(
        &self,
        ps: &PetStore,
        type_: EventType,
        reason: &str,
        action: &str,
        note: String,
        about: Option<ObjectReference>,
    ) {
        let ev = Event {
            type_,
            reason: reason.into(),
            note: Some(note),
            action: action.into(),
            secondary: about,
        };
        if let Err(e) = self.recorder.publish(&ev, &ps.object_ref(&())).await {
            warn!(error = %e, "cannot publish event");
        }
    }

    /// Publishes an Event about the PetStore as a whole; `reason` doubles as
    /// the action.
    pub async fn event(&self, ps: &PetStore, type_: EventType, reason: &str, note: String) {
        self.event_about(ps, type_, reason, reason, note, None)
            .await;
    }

    /// Consecutive failed reconciles of the store `key` (for the backoff).
    pub(crate) fn failures_of(&self, key: &str) -> u32 {
        self.failures
            .lock()
            .map(|m| m.get(key).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Records `n` consecutive failures of the store `key` (`None`: it succeeded).
    pub(crate) fn set_failures(&self, key: &str, n: Option<u32>) {
        if let Ok(mut m) = self.failures.lock() {
            match n {
                Some(n) => m.insert(key.to_string(), n),
                None => m.remove(key),
            };
        }
    }
}
