//! The reconcile of a live PetStore, as five steps, each in its own module
//! with its own error type:
//!
//! 1. [`validate`]: the spec, every problem collected (pure);
//! 2. [`crate::build`]: the desired children (pure, typed; `render` prints it);
//! 3. [`apply`]: every child applied, all of them, failures collected
//!    ([`secrets`] creates the generated Secrets first);
//! 4. [`orphans`]: what the spec no longer asks for is deleted;
//! 5. status from the observed children ([`crate::status`]).
//!
//! [`observe`] reads the children, from the watch caches in the cluster.

pub mod apply;
mod context;
pub mod observe;
pub mod orphans;
pub mod secrets;
pub mod validate;

pub use context::Context;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use k8s_openapi::api::core::v1::{ObjectReference, Secret};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::info;

use crate::build::{self, backup_job, credentials};
use crate::crd::{PetStore, PetStoreStatus, Phase};
use crate::error::Error;
use crate::status::{self, Observed};

/// Requeue interval of a converged store.
const RESYNC: Duration = Duration::from_secs(300);

/// Converges the children of a live (not deleted) PetStore and writes its status.
pub async fn converge(ps: &PetStore, ctx: &Context, ns: &str) -> Result<Action, Error> {
    if let Err(invalid) = validate::validate(&ps.spec) {
        let status = status::invalid(ps, &invalid.to_string());
        write_status(ps, ctx, ns, status).await?;
        return Err(Error::InvalidSpec(invalid));
    }
    let mut desired = build::build(ps);

    let children = observe::children(&ctx.client, &ctx.children, ps, ns).await?;
    let orphans = orphans::find(&children, &desired, ps.meta().uid.as_deref());
    let mut observed = Observed::new();
    let mut existing_secrets: HashMap<String, Secret> = HashMap::new();
    for (ar, obj) in &children {
        let value = serde_json::to_value(obj).unwrap_or_default();
        if ar.kind == "Secret" {
            if let Ok(s) = serde_json::from_value::<Secret>(value) {
                existing_secrets.insert(s.name_any(), s);
            }
        } else {
            observed.insert((ar.kind.clone(), obj.name_any()), value);
        }
    }
    for (ar, name) in &orphans {
        observed.remove(&(ar.kind.clone(), name.clone()));
    }

    let generated = secrets::ensure(&ctx.client, ps, ns, &existing_secrets).await?;
    // One Event per Secret: a later re-creation of one Secret must not read
    // as the first reconcile's note (see `Context::event_about`).
    let (action, what) = if observed.is_empty() {
        ("GenerateSecret", "generated")
    } else {
        // A store that already ran lost this Secret (or someone deleted it
        // to rotate it): say what restarts.
        ("RegenerateSecret", "re-created")
    };
    for secret in &generated {
        let name = secret.name_any();
        let note = if what == "generated" {
            format!("generated Secret {name}")
        } else {
            format!(
                "re-created Secret {name} with new credentials; the database or broker using it restarts and takes them, then the services using it roll"
            )
        };
        let about = reference("v1", "Secret", &name, ns);
        ctx.event_about(
            ps,
            EventType::Normal,
            "SecretsGenerated",
            action,
            note,
            Some(about),
        )
        .await;
    }
    let mut versions: BTreeMap<String, String> = existing_secrets
        .iter()
        .map(|(name, s)| (name.clone(), credentials::version(s)))
        .collect();
    for s in &generated {
        versions.insert(s.name_any(), credentials::version(s));
    }
    credentials::annotate(&mut desired, &versions);
    for (deployment, waiting) in credentials::hold_until_rolled(&mut desired, &observed) {
        info!(%waiting, "credential change held");
        let about = reference("apps/v1", "Deployment", &deployment, ns);
        ctx.event_about(
            ps,
            EventType::Normal,
            "CredentialsPending",
            "HoldRollout",
            waiting,
            Some(about),
        )
        .await;
    }

    let (applied, mut failures) = apply::apply_all(&ctx.client, ns, &desired, &mut observed).await;
    ctx.metrics.applies.inc_by(applied.len() as u64);
    if !applied.is_empty() {
        info!(children = ?applied, "applied");
    }
    failures.extend(orphans::delete(&ctx.client, ns, &orphans).await);
    let (started, job_failures) =
        apply::create_once(&ctx.client, ns, &backup_job::build(ps), &mut observed).await;
    failures.extend(job_failures);

    let mut new = status::compute(ps, &observed);
    if let Some(token) = backup_job::pending_backup_now(ps) {
        new.backup_now = Some(token);
    }
    if let Some(id) = backup_job::pending_restore(ps) {
        new.restored = Some(id);
    }
    for job in &started {
        let name = job.trim_start_matches("Job/");
        ctx.event_about(
            ps,
            EventType::Normal,
            "BackupJobsCreated",
            "CreateJob",
            format!("created {job}"),
            Some(reference("batch/v1", "Job", name, ns)),
        )
        .await;
    }
    let messages: Vec<String> = failures.iter().map(apply::ChildError::message).collect();
    if !failures.is_empty() {
        status::children_failed(&mut new, &messages);
    }
    let ready = new.phase == Phase::Ready;
    write_status(ps, ctx, ns, new).await?;
    if !failures.is_empty() {
        for f in &failures {
            let about = desired
                .iter()
                .find(|c| c.resource.kind == f.kind && c.name == f.name)
                .map(|c| reference(&c.resource.api_version, &f.kind, &f.name, ns));
            let action = match f.verb {
                apply::Verb::Apply => "Apply",
                apply::Verb::Create => "Create",
                apply::Verb::Delete => "Delete",
            };
            ctx.event_about(
                ps,
                EventType::Warning,
                "ApplyFailed",
                action,
                f.message(),
                about,
            )
            .await;
        }
        return Err(Error::Children(apply::ChildErrors(failures)));
    }
    Ok(Action::requeue(if ready { RESYNC } else { RESYNC / 5 }))
}

/// Writes the status when it differs from the stored one, with an Event on
/// phase transitions.
pub async fn write_status(
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
    // Server-side apply of the whole status with the operator's field
    // manager: a key it no longer writes (a disabled service in
    // `status.services`) disappears, which a merge patch would keep.
    let patch = json!({
        "apiVersion": PetStore::api_version(&()),
        "kind": PetStore::kind(&()),
        "status": new,
    });
    api.patch_status(
        &ps.name_any(),
        &PatchParams::apply(build::FIELD_MANAGER).force(),
        &Patch::Apply(&patch),
    )
    .await
    .map_err(|source| Error::Status {
        name: ps.name_any(),
        source,
    })?;
    let old_phase = old.map(|s| s.phase);
    if old_phase != Some(new.phase) {
        let ready = new.conditions.iter().find(|c| c.type_ == "Ready");
        let (type_, action, note) = match new.phase {
            // The action is the cause, so Degraded for different causes
            // never shares one series (and its first note).
            Phase::Degraded => (
                EventType::Warning,
                ready.map_or("Degraded", |c| c.reason.as_str()),
                ready.map(|c| c.message.clone()).unwrap_or_default(),
            ),
            p => (
                EventType::Normal,
                p.as_str(),
                format!("the pet store is {}", p.as_str()),
            ),
        };
        ctx.event_about(ps, type_, new.phase.as_str(), action, note, None)
            .await;
    }
    Ok(())
}

/// A reference to a child, for Events about it.
fn reference(api_version: &str, kind: &str, name: &str, ns: &str) -> ObjectReference {
    ObjectReference {
        api_version: Some(api_version.into()),
        kind: Some(kind.into()),
        name: Some(name.into()),
        namespace: Some(ns.into()),
        ..ObjectReference::default()
    }
}
