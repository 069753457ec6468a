//! Step 2 (read side): the children that exist now.
//!
//! In the cluster they come from the controller's watch caches: the same
//! reflectors whose streams `Controller::owns` watches to trigger reconciles,
//! so a reconcile makes no LIST at all. Without caches (the tests' default,
//! tools) every kind is listed once by label.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::ApiResource;
use kube::runtime::reflector::{Store, store::Writer};
use kube::runtime::watcher;
use kube::{Client, ResourceExt};

use crate::build::{self, labels};
use crate::crd::PetStore;

/// How long a reconcile waits for the caches' first full list after start-up.
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

/// Every kind whose objects a reconcile reads: the applied kinds, the
/// observed Jobs and the generated Secrets.
pub fn kinds() -> Vec<ApiResource> {
    let mut kinds = build::managed_kinds();
    kinds.extend(build::observed_kinds());
    kinds.push(ApiResource::erase::<Secret>(&()));
    kinds
}

/// Watch caches of every kind in [`kinds`], filtered like the controller's
/// watches (`app.kubernetes.io/managed-by=petstore-operator`).
#[derive(Clone, Default)]
pub struct Caches {
    stores: Vec<(ApiResource, Store<DynamicObject>)>,
}

impl Caches {
    /// Caches reading from `stores`, one per kind.
    pub fn new(stores: Vec<(ApiResource, Store<DynamicObject>)>) -> Self {
        Self { stores }
    }

    /// Caches filled once with `objects` (as a watch's initial list would
    /// deliver them) and marked synced; for tests and benchmarks.
    pub fn filled(objects: &[(ApiResource, DynamicObject)]) -> Self {
        let mut stores = Vec::new();
        for ar in kinds() {
            let mut writer: Writer<DynamicObject> = Writer::new(ar.clone());
            writer.apply_watcher_event(&watcher::Event::Init);
            for (kind, obj) in objects {
                if kind.kind == ar.kind && kind.group == ar.group {
                    writer.apply_watcher_event(&watcher::Event::InitApply(obj.clone()));
                }
            }
            writer.apply_watcher_event(&watcher::Event::InitDone);
            stores.push((ar, writer.as_reader()));
        }
        Self { stores }
    }
}

/// Where a reconcile reads the children from.
#[derive(Clone, Default)]
pub enum Source {
    /// One LIST per kind per reconcile.
    #[default]
    Api,
    /// The controller's watch caches: no request at all.
    Cache(Arc<Caches>),
}

/// Reading the children failed.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    /// A LIST failed.
    #[error("failed to list {kind} objects")]
    List {
        /// Kind of the children.
        kind: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },
    /// A watch cache has not delivered its first full list in time.
    #[error("the watch cache of {kind} objects has not synced within {}s", SYNC_TIMEOUT.as_secs())]
    NotSynced {
        /// Kind of the cache.
        kind: String,
    },
}

/// Every child of `ps` in namespace `ns`, with its kind.
pub async fn children(
    client: &Client,
    source: &Source,
    ps: &PetStore,
    ns: &str,
) -> Result<Vec<(ApiResource, DynamicObject)>, ObserveError> {
    let instance = build::instance(ps);
    let mut out = Vec::new();
    match source {
        Source::Api => {
            let lp = ListParams::default().labels(&build::instance_selector(ps));
            for ar in kinds() {
                let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
                let list = api.list(&lp).await.map_err(|source| ObserveError::List {
                    kind: ar.kind.clone(),
                    source,
                })?;
                out.extend(list.items.into_iter().map(|o| (ar.clone(), o)));
            }
        }
        Source::Cache(caches) => {
            for (ar, store) in &caches.stores {
                tokio::time::timeout(SYNC_TIMEOUT, store.wait_until_ready())
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .ok_or_else(|| ObserveError::NotSynced {
                        kind: ar.kind.clone(),
                    })?;
                let mine = |o: &DynamicObject| {
                    o.namespace().as_deref() == Some(ns)
                        && o.labels().get(labels::INSTANCE) == Some(&instance)
                        && o.labels().get(labels::MANAGED_BY).map(String::as_str)
                            == Some(build::MANAGED_BY)
                };
                out.extend(
                    store
                        .state_filter(mine)
                        .into_iter()
                        .map(|o| (ar.clone(), (*o).clone())),
                );
            }
        }
    }
    Ok(out)
}
