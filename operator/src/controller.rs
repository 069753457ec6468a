//! The controller: what every reconcile shares, the finalizer and the
//! clean-up on deletion, the error policy and the watches. The reconcile of a
//! live store is [`crate::reconcile`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Secret};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::EventType;
use kube::runtime::reflector::store::Writer;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource, ResourceExt};
use serde_json::json;
use tracing::{debug, info, instrument, warn};

use crate::build;
use crate::crd::{DataRetention, PetStore};
use crate::error::Error;
use crate::metrics::Metrics;
use crate::reconcile::observe::{self, Caches};
use crate::reconcile::{self, validate::InvalidSpec};

/// What every reconcile shares (defined with the reconcile, which the controller drives).
pub use crate::reconcile::Context;

/// The finalizer that runs the data clean-up (or retention) on deletion.
pub const FINALIZER: &str = "petstore.dev/cleanup";

fn key(ps: &PetStore) -> String {
    format!("{}/{}", ps.namespace().unwrap_or_default(), ps.name_any())
}

/// Reconciles one PetStore.
#[instrument(skip_all, err, fields(petstore = %key(&ps)))]
pub async fn reconcile(ps: Arc<PetStore>, ctx: Arc<Context>) -> Result<Action, Error> {
    let started = Instant::now();
    ctx.metrics.reconciles.inc();
    let result = reconcile_inner(ps.clone(), &ctx).await;
    ctx.metrics
        .duration
        .observe(started.elapsed().as_secs_f64());
    match &result {
        Ok(_) => ctx.set_failures(&key(&ps), None),
        Err(e) => ctx.metrics.failure(e.category()),
    }
    result
}

async fn reconcile_inner(ps: Arc<PetStore>, ctx: &Context) -> Result<Action, Error> {
    // A paused store is left alone entirely, but deletion still goes through.
    if ps.spec.paused && ps.meta().deletion_timestamp.is_none() {
        debug!("paused");
        return Ok(Action::await_change());
    }
    let ns = ps
        .namespace()
        .ok_or_else(|| Error::InvalidSpec(InvalidSpec::one("a PetStore must be namespaced")))?;
    let has_finalizer = ps.finalizers().iter().any(|f| f == FINALIZER);
    if ps.meta().deletion_timestamp.is_some() {
        if has_finalizer {
            if !cleanup(&ps, ctx, &ns).await? {
                return Ok(Action::requeue(CLEANUP_POLL));
            }
            set_finalizer(&ps, ctx, &ns, false).await?;
        }
        return Ok(Action::await_change());
    }
    if has_finalizer {
        reconcile::converge(&ps, ctx, &ns).await
    } else {
        // Continue with the object the patch returned: it is the newer one.
        let ps = set_finalizer(&ps, ctx, &ns, true).await?;
        reconcile::converge(&ps, ctx, &ns).await
    }
}

/// Adds or removes [`FINALIZER`] with a merge patch guarded by the
/// resourceVersion the PetStore was read at (a conflict retries).
async fn set_finalizer(
    ps: &PetStore,
    ctx: &Context,
    ns: &str,
    present: bool,
) -> Result<PetStore, Error> {
    let mut finalizers: Vec<String> = ps
        .finalizers()
        .iter()
        .filter(|f| *f != FINALIZER)
        .cloned()
        .collect();
    if present {
        finalizers.push(FINALIZER.into());
    }
    let patch = json!({
        "metadata": {
            "finalizers": finalizers,
            "resourceVersion": ps.resource_version(),
        }
    });
    let api: Api<PetStore> = Api::namespaced(ctx.client.clone(), ns);
    api.patch(
        &ps.name_any(),
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await
    .map_err(|source| Error::Finalizer { source })
}

/// How often a deletion with `dataRetention: Delete` checks that the
/// StatefulSets are gone before it deletes their claims.
const CLEANUP_POLL: Duration = Duration::from_secs(2);

/// Deletion: with `Retain` the volumes stay and the credential Secrets are
/// released from the PetStore so they outlive it; with `Delete` both go.
/// Returns whether the clean-up is finished (the finalizer may go).
///
/// `Delete` first deletes the StatefulSets and waits until they are gone:
/// while one exists its controller re-creates any claim deleted under it,
/// which would leave unowned volumes behind the PetStore.
async fn cleanup(ps: &PetStore, ctx: &Context, ns: &str) -> Result<bool, Error> {
    let lp = ListParams::default().labels(&build::instance_selector(ps));
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), ns);
    let secrets_api: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
    let cleanup_err = |what: &str| {
        let what = what.to_string();
        move |source| Error::Cleanup { what, source }
    };
    match ps.spec.data_retention {
        DataRetention::Delete => {
            let sts: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), ns);
            let running = sts
                .list_metadata(&lp)
                .await
                .map_err(cleanup_err("StatefulSets"))?;
            if !running.items.is_empty() {
                for s in &running.items {
                    let name = s.name_any();
                    match sts.delete(&name, &DeleteParams::background()).await {
                        Ok(_) => {}
                        Err(kube::Error::Api(e)) if e.code == 404 => {}
                        Err(source) => {
                            return Err(cleanup_err(&format!("StatefulSet {name}"))(source));
                        }
                    }
                }
                info!(
                    statefulsets = running.items.len(),
                    "deleting the StatefulSets before their volumes"
                );
                return Ok(false);
            }
            let claims = pvcs
                .list_metadata(&lp)
                .await
                .map_err(cleanup_err("PersistentVolumeClaims"))?;
            let mut deleted = 0;
            for pvc in claims
                .items
                .iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none())
            {
                let name = pvc.name_any();
                match pvcs.delete(&name, &DeleteParams::default()).await {
                    Ok(_) => deleted += 1,
                    Err(kube::Error::Api(s)) if s.code == 404 => {}
                    Err(source) => {
                        return Err(cleanup_err(&format!("PersistentVolumeClaim {name}"))(
                            source,
                        ));
                    }
                }
            }
            if deleted > 0 {
                ctx.event(
                    ps,
                    EventType::Normal,
                    "DataDeleted",
                    format!("deleted {deleted} PersistentVolumeClaims (dataRetention: Delete); the credential Secrets go with the PetStore"),
                )
                .await;
            }
            info!(claims = deleted, "deleted the store's data");
            Ok(true)
        }
        DataRetention::Retain => {
            let claims = pvcs
                .list_metadata(&lp)
                .await
                .map_err(cleanup_err("PersistentVolumeClaims"))?;
            let generated = secrets_api
                .list_metadata(&lp)
                .await
                .map_err(cleanup_err("Secrets"))?;
            let release = json!({ "metadata": { "ownerReferences": null } });
            for s in &generated.items {
                let name = s.name_any();
                secrets_api
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&release))
                    .await
                    .map_err(cleanup_err(&format!("Secret {name}")))?;
            }
            ctx.event(
                ps,
                EventType::Normal,
                "DataRetained",
                format!(
                    "kept {} PersistentVolumeClaims and {} credential Secrets (dataRetention: Retain); a PetStore of the same name adopts them again",
                    claims.items.len(),
                    generated.items.len()
                ),
            )
            .await;
            Ok(true)
        }
    }
}

/// Error policy: an invalid spec waits for the next change (its condition
/// says why); anything else retries with per-object exponential backoff.
pub fn error_policy(ps: Arc<PetStore>, error: &Error, ctx: Arc<Context>) -> Action {
    warn!(petstore = %key(&ps), category = error.category(), error = %error.chain(), "reconcile failed");
    if matches!(error, Error::InvalidSpec(_)) {
        return Action::await_change();
    }
    let k = key(&ps);
    let n = ctx.failures_of(&k).saturating_add(1);
    ctx.set_failures(&k, Some(n));
    Action::requeue(backoff(n))
}

/// Delay before retry number `n` (1-based): 5s doubling, at most 5 minutes.
pub fn backoff(n: u32) -> Duration {
    let secs = 5u64.saturating_mul(1u64 << n.saturating_sub(1).min(10));
    Duration::from_secs(secs.min(300))
}

/// Runs the controller until a shutdown signal.
///
/// Every child kind is watched once: the watch feeds a reflector (the cache
/// reconciles read the children from, see [`Caches`]) and its stream
/// triggers the owning PetStore's reconcile (`owns`), so drift is corrected.
pub async fn run(client: Client, metrics: Arc<Metrics>, instance: Option<String>) {
    let config = watcher::Config::default().labels(&format!(
        "{}={}",
        build::labels::MANAGED_BY,
        build::MANAGED_BY
    ));
    let mut controller = Controller::new(
        Api::<PetStore>::all(client.clone()),
        watcher::Config::default(),
    );
    let mut stores = Vec::new();
    for ar in observe::kinds() {
        let writer: Writer<DynamicObject> = Writer::new(ar.clone());
        stores.push((ar.clone(), writer.as_reader()));
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
        let stream = watcher(api, config.clone())
            .default_backoff()
            .reflect(writer)
            .touched_objects();
        controller = controller.owns_stream_with(stream, ar);
    }
    let ctx = Arc::new(
        Context::new(client.clone(), metrics, instance).with_caches(Arc::new(Caches::new(stores))),
    );
    controller
        .shutdown_on_signal()
        .run(reconcile, error_policy, ctx)
        .for_each(|res| async move {
            match res {
                Ok((obj, _)) => debug!(petstore = %obj.name, "reconciled"),
                Err(e) => debug!(error = %e, "reconcile error"),
            }
        })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(30), Duration::from_secs(300));
    }
}
