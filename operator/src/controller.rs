//! The reconciler: validate → build (pure) → apply (server-side apply, only
//! what differs) → delete what the spec no longer asks for → status.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::watcher;
use kube::{Client, Resource, ResourceExt};
use serde_json::{Value, json};
use tracing::{debug, info, instrument, warn};

use crate::build::{self, Child, FIELD_MANAGER, backup_job, secrets};
use crate::crd::{DataRetention, PetStore, PetStoreStatus, Phase};
use crate::error::Error;
use crate::metrics::Metrics;
use crate::status::{self, Observed};

/// The finalizer that runs the data clean-up (or retention) on deletion.
pub const FINALIZER: &str = "petstore.dev/cleanup";
/// Requeue interval of a converged store.
const RESYNC: Duration = Duration::from_secs(300);

/// What every reconcile shares.
pub struct Context {
    /// The API client.
    pub client: Client,
    /// Metrics.
    pub metrics: Arc<Metrics>,
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
            failures: Mutex::new(HashMap::new()),
        }
    }

    async fn event(&self, ps: &PetStore, type_: EventType, reason: &str, note: String) {
        let ev = Event {
            type_,
            reason: reason.into(),
            note: Some(note),
            action: "Reconcile".into(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&ev, &ps.object_ref(&())).await {
            warn!(error = %e, "cannot publish event");
        }
    }

    fn failures_of(&self, key: &str) -> u32 {
        self.failures
            .lock()
            .map(|m| m.get(key).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    fn set_failures(&self, key: &str, n: Option<u32>) {
        if let Ok(mut m) = self.failures.lock() {
            match n {
                Some(n) => m.insert(key.to_string(), n),
                None => m.remove(key),
            };
        }
    }
}

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
        .ok_or_else(|| Error::InvalidSpec("a PetStore must be namespaced".into()))?;
    let has_finalizer = ps.finalizers().iter().any(|f| f == FINALIZER);
    if ps.meta().deletion_timestamp.is_some() {
        if has_finalizer {
            cleanup(&ps, ctx, &ns).await?;
            set_finalizer(&ps, ctx, &ns, false).await?;
        }
        return Ok(Action::await_change());
    }
    if has_finalizer {
        apply(&ps, ctx, &ns).await
    } else {
        // Continue with the object the patch returned: it is the newer one.
        let ps = set_finalizer(&ps, ctx, &ns, true).await?;
        apply(&ps, ctx, &ns).await
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

/// Is every field of `desired` present and equal in `existing`? Extra
/// fields (server defaults, status) do not count as drift.
pub fn is_subset(desired: &Value, existing: &Value) -> bool {
    match (desired, existing) {
        (Value::Object(d), Value::Object(e)) => d
            .iter()
            .all(|(k, v)| e.get(k).is_some_and(|ev| is_subset(v, ev))),
        (Value::Array(d), Value::Array(e)) => {
            d.len() == e.len() && d.iter().zip(e).all(|(a, b)| is_subset(a, b))
        }
        _ => desired == existing,
    }
}

fn owned_by(obj: &Value, uid: Option<&str>) -> bool {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("uid").and_then(Value::as_str) == uid && uid.is_some())
        })
}

/// Creates the generated Secrets that are absent. A Secret that exists with
/// none of its generated keys (e.g. applied from `render` output) is filled
/// in; a Secret holding any of them is never touched.
async fn ensure_secrets(ps: &PetStore, ctx: &Context, ns: &str) -> Result<usize, Error> {
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
    let existing: HashMap<String, Secret> = api
        .list(&ListParams::default().labels(&build::instance_selector(ps)))
        .await
        .map_err(|source| Error::List {
            kind: "Secret".into(),
            source,
        })?
        .items
        .into_iter()
        .map(|s| (s.name_any(), s))
        .collect();
    let mut written = 0;
    for (shell, kind) in secrets::desired(ps) {
        let name = shell.name_any();
        let empty = match existing.get(&name) {
            None => false,
            Some(current) => {
                let has = |k: &String| {
                    current.data.as_ref().is_some_and(|d| d.contains_key(k))
                        || current
                            .string_data
                            .as_ref()
                            .is_some_and(|d| d.contains_key(k))
                };
                if secrets::keys(&kind).iter().any(has) {
                    continue;
                }
                true
            }
        };
        let secret = secrets::generate(shell, &kind).map_err(|reason| Error::GenerateSecret {
            name: name.clone(),
            reason,
        })?;
        let result = if empty {
            let patch = json!({ "stringData": secret.string_data });
            api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .map(|_| ())
        } else {
            let pp = PostParams {
                field_manager: Some(FIELD_MANAGER.into()),
                ..PostParams::default()
            };
            api.create(&pp, &secret).await.map(|_| ())
        };
        match result {
            Ok(()) => written += 1,
            // Someone (another replica, a restore) created it first: keep theirs.
            Err(kube::Error::Api(s)) if s.code == 409 => {}
            Err(source) => return Err(Error::CreateSecret { name, source }),
        }
    }
    Ok(written)
}

async fn apply(ps: &PetStore, ctx: &Context, ns: &str) -> Result<Action, Error> {
    if let Err(reason) = ps.spec.validate() {
        let status = status::invalid(ps, &reason);
        write_status(ps, ctx, ns, status).await?;
        return Err(Error::InvalidSpec(reason));
    }
    let created = ensure_secrets(ps, ctx, ns).await?;
    if created > 0 {
        ctx.event(
            ps,
            EventType::Normal,
            "SecretsGenerated",
            format!("generated {created} Secrets"),
        )
        .await;
    }

    let desired = build::build(ps);
    let selector = build::instance_selector(ps);
    let uid = ps.uid();
    let mut observed = Observed::new();
    let mut orphans = Vec::new();
    let wanted: HashSet<(String, String)> = desired
        .iter()
        .map(|c| (c.resource.kind.clone(), c.name.clone()))
        .collect();
    let observe_only = build::observed_kinds();
    for ar in build::managed_kinds()
        .into_iter()
        .chain(observe_only.clone())
    {
        let prunable = !observe_only.contains(&ar);
        let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &ar);
        let list = api
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|source| Error::List {
                kind: ar.kind.clone(),
                source,
            })?;
        for obj in list.items {
            let name = obj.name_any();
            let value = serde_json::to_value(&obj).unwrap_or_default();
            let id = (ar.kind.clone(), name.clone());
            if prunable && !wanted.contains(&id) && owned_by(&value, uid.as_deref()) {
                orphans.push((ar.clone(), name));
            } else {
                observed.insert(id, value);
            }
        }
    }

    let mut applied = Vec::new();
    for child in &desired {
        let id = (child.resource.kind.clone(), child.name.clone());
        if observed
            .get(&id)
            .is_some_and(|e| is_subset(&child.object, e))
        {
            continue;
        }
        let value = apply_child(ctx, ns, child).await?;
        ctx.metrics.applies.inc();
        applied.push(child.id());
        observed.insert(id, value);
    }
    for (ar, name) in &orphans {
        let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, ar);
        match api.delete(name, &DeleteParams::background()).await {
            Ok(_) => info!(kind = %ar.kind, %name, "deleted child the spec no longer asks for"),
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(source) => {
                return Err(Error::Delete {
                    kind: ar.kind.clone(),
                    name: name.clone(),
                    source,
                });
            }
        }
    }
    if !applied.is_empty() {
        info!(children = ?applied, "applied");
    }
    let started = create_jobs(ps, ctx, ns, &mut observed).await?;

    let mut new = status::compute(ps, &observed);
    if let Some(token) = backup_job::pending_backup_now(ps) {
        new.backup_now = Some(token);
    }
    if let Some(id) = backup_job::pending_restore(ps) {
        new.restored = Some(id);
    }
    if !started.is_empty() {
        ctx.event(
            ps,
            EventType::Normal,
            "BackupJobsCreated",
            format!("created {}", started.join(", ")),
        )
        .await;
    }
    let ready = new.phase == Phase::Ready;
    write_status(ps, ctx, ns, new).await?;
    Ok(Action::requeue(if ready { RESYNC } else { RESYNC / 5 }))
}

/// Creates the on-demand backup and restore Jobs not yet acted on (see
/// [`backup_job`]); one that exists already (a retried reconcile) is kept.
async fn create_jobs(
    ps: &PetStore,
    ctx: &Context,
    ns: &str,
    observed: &mut Observed,
) -> Result<Vec<String>, Error> {
    let mut created = Vec::new();
    for child in backup_job::build(ps) {
        let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &child.resource);
        let obj: DynamicObject =
            serde_json::from_value(child.object.clone()).map_err(|e| Error::Apply {
                kind: child.resource.kind.clone(),
                name: child.name.clone(),
                source: kube::Error::SerdeError(e),
            })?;
        let pp = PostParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..PostParams::default()
        };
        match api.create(&pp, &obj).await {
            Ok(o) => {
                info!(job = %child.name, "created");
                created.push(child.id());
                observed.insert(
                    (child.resource.kind.clone(), child.name.clone()),
                    serde_json::to_value(o).unwrap_or_default(),
                );
            }
            Err(kube::Error::Api(s)) if s.code == 409 => {}
            Err(source) => {
                return Err(Error::Apply {
                    kind: child.resource.kind.clone(),
                    name: child.name.clone(),
                    source,
                });
            }
        }
    }
    Ok(created)
}

async fn apply_child(ctx: &Context, ns: &str, child: &Child) -> Result<Value, Error> {
    let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &child.resource);
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let obj = api
        .patch(&child.name, &params, &Patch::Apply(&child.object))
        .await
        .map_err(|source| Error::Apply {
            kind: child.resource.kind.clone(),
            name: child.name.clone(),
            source,
        })?;
    Ok(serde_json::to_value(obj).unwrap_or_default())
}

/// Writes the status when it differs from the stored one, with an Event on
/// phase transitions.
async fn write_status(
    ps: &PetStore,
    ctx: &Context,
    ns: &str,
    mut new: PetStoreStatus,
) -> Result<(), Error> {
    let old = ps.status.as_ref();
    status::keep_transition_times(&mut new, old);
    if old == Some(&new) {
        return Ok(());
    }
    let api: Api<PetStore> = Api::namespaced(ctx.client.clone(), ns);
    let patch = json!({ "status": new });
    api.patch_status(
        &ps.name_any(),
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await
    .map_err(|source| Error::Status {
        name: ps.name_any(),
        source,
    })?;
    let old_phase = old.map(|s| s.phase);
    if old_phase != Some(new.phase) {
        let (type_, note) = match new.phase {
            Phase::Degraded => (
                EventType::Warning,
                new.conditions
                    .first()
                    .map(|c| c.message.clone())
                    .unwrap_or_default(),
            ),
            p => (
                EventType::Normal,
                format!("the pet store is {}", p.as_str()),
            ),
        };
        ctx.event(ps, type_, new.phase.as_str(), note).await;
    }
    Ok(())
}

/// Deletion: with `Retain` the volumes stay and the credential Secrets are
/// released from the PetStore so they outlive it; with `Delete` both go.
async fn cleanup(ps: &PetStore, ctx: &Context, ns: &str) -> Result<Action, Error> {
    let lp = ListParams::default().labels(&build::instance_selector(ps));
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), ns);
    let secrets_api: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
    let cleanup_err = |what: &str| {
        let what = what.to_string();
        move |source| Error::Cleanup { what, source }
    };
    let claims = pvcs
        .list_metadata(&lp)
        .await
        .map_err(cleanup_err("PersistentVolumeClaims"))?;
    let generated = secrets_api
        .list_metadata(&lp)
        .await
        .map_err(cleanup_err("Secrets"))?;
    match ps.spec.data_retention {
        DataRetention::Delete => {
            for pvc in &claims.items {
                let name = pvc.name_any();
                match pvcs.delete(&name, &DeleteParams::default()).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(s)) if s.code == 404 => {}
                    Err(source) => {
                        return Err(cleanup_err(&format!("PersistentVolumeClaim {name}"))(
                            source,
                        ));
                    }
                }
            }
            info!(claims = claims.items.len(), "deleted the store's data");
        }
        DataRetention::Retain => {
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
                    "kept {} PersistentVolumeClaims and {} credential Secrets",
                    claims.items.len(),
                    generated.items.len()
                ),
            )
            .await;
        }
    }
    Ok(Action::await_change())
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
pub async fn run(client: Client, metrics: Arc<Metrics>, instance: Option<String>) {
    let ctx = Arc::new(Context::new(client.clone(), metrics, instance));
    let children = watcher::Config::default().labels(&format!(
        "{}={}",
        build::labels::MANAGED_BY,
        build::MANAGED_BY
    ));
    let c = || client.clone();
    Controller::new(Api::<PetStore>::all(c()), watcher::Config::default())
        .owns(Api::<Deployment>::all(c()), children.clone())
        .owns(Api::<Service>::all(c()), children.clone())
        .owns(Api::<HorizontalPodAutoscaler>::all(c()), children.clone())
        .owns(Api::<PodDisruptionBudget>::all(c()), children.clone())
        .owns(Api::<StatefulSet>::all(c()), children.clone())
        .owns(Api::<ConfigMap>::all(c()), children.clone())
        .owns(Api::<Secret>::all(c()), children.clone())
        .owns(Api::<NetworkPolicy>::all(c()), children.clone())
        .owns(Api::<CronJob>::all(c()), children.clone())
        .owns(Api::<Job>::all(c()), children.clone())
        .owns(Api::<Ingress>::all(c()), children)
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
    fn subset_ignores_server_defaults_but_not_edits() {
        let desired = json!({"spec": {"replicas": 2, "ports": [{"port": 80}]}});
        let existing = json!({"spec": {"replicas": 2, "ports": [{"port": 80, "protocol": "TCP"}]}, "status": {}});
        assert!(is_subset(&desired, &existing));
        let edited = json!({"spec": {"replicas": 5, "ports": [{"port": 80}]}});
        assert!(!is_subset(&desired, &edited));
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(30), Duration::from_secs(300));
    }
}
