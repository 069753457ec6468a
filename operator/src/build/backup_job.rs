//! Jobs run once: an on-demand backup of every database when the
//! `petstore.dev/backup-now` annotation carries a new value, and the restore
//! of `spec.restore`.
//!
//! These are not applied and pruned like the other children: the reconciler
//! creates each Job once (its name derives from the token or the restore, so
//! a repeat is a harmless conflict) and records the token or the restore in
//! the status, and [`build`] asks for nothing the status already records. A
//! finished Job is therefore never re-run, even after its TTL deletes it.

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::EnvVar;
use petstore_contract::ServiceSpec;
use sha2::{Digest, Sha256};

use super::backup::{self, COMPONENT};
use super::{Child, instance, meta};
use crate::crd::{BACKUP_NOW_ANNOTATION, PetStore};

/// Seconds a finished on-demand or restore Job is kept.
pub const TTL_SECONDS: i32 = 7 * 24 * 3600;

fn short_hash(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// The `petstore.dev/backup-now` value not yet acted on, if any (only
/// when backups are enabled: the Jobs write to the backup volumes).
pub fn pending_backup_now(ps: &PetStore) -> Option<String> {
    let token = ps
        .metadata
        .annotations
        .as_ref()?
        .get(BACKUP_NOW_ANNOTATION)?;
    let done = ps.status.as_ref().and_then(|s| s.backup_now.as_ref());
    (ps.spec.backup.enabled && !token.is_empty() && done != Some(token)).then(|| token.clone())
}

/// Identifies a restore in the status: `<service>/<backup>`.
pub fn restore_id(ps: &PetStore) -> Option<String> {
    ps.spec
        .restore
        .as_ref()
        .map(|r| format!("{}/{}", r.service, r.backup))
}

/// The restore not yet started, if any.
pub fn pending_restore(ps: &PetStore) -> Option<String> {
    let id = restore_id(ps)?;
    let done = ps.status.as_ref().and_then(|s| s.restored.as_ref());
    (done != Some(&id)).then_some(id)
}

/// Name of the on-demand backup Job of a service for `token`.
pub fn backup_now_name(ps: &PetStore, service: &str, token: &str) -> String {
    format!(
        "{}-backup-{service}-now-{}",
        instance(ps),
        short_hash(token)
    )
}

/// Name of the restore Job.
pub fn restore_name(ps: &PetStore, service: &str, backup: &str) -> String {
    format!("{}-restore-{service}-{}", instance(ps), short_hash(backup))
}

fn job(
    ps: &PetStore,
    svc: &ServiceSpec,
    name: String,
    trigger: &str,
    args: Vec<String>,
    env: Vec<EnvVar>,
    backoff: i32,
) -> Job {
    let mut metadata = meta(ps, name, &format!("backup-{}", svc.name), COMPONENT);
    metadata.labels = Some(backup::job_labels(ps, svc, trigger));
    let mut spec = backup::job_spec(ps, svc, trigger, args, env, backoff);
    spec.ttl_seconds_after_finished = Some(TTL_SECONDS);
    Job {
        metadata,
        spec: Some(spec),
        ..Job::default()
    }
}

/// The Jobs to create now: on-demand backups and the restore not yet acted on.
pub fn build(ps: &PetStore) -> Vec<Child> {
    let mut out = Vec::new();
    if let Some(token) = pending_backup_now(ps) {
        for svc in backup::databases(ps) {
            let name = backup_now_name(ps, svc.name, &token);
            out.push(Child::new(&job(
                ps,
                svc,
                name,
                "now",
                vec!["backup".into()],
                Vec::new(),
                1,
            )));
        }
    }
    if pending_restore(ps).is_some()
        && let Some(r) = &ps.spec.restore
        && let Some(svc) = petstore_contract::service(&r.service)
    {
        let env = vec![EnvVar {
            name: "RESTORE_FORCE".into(),
            value: Some(r.force.to_string()),
            ..EnvVar::default()
        }];
        let name = restore_name(ps, svc.name, &r.backup);
        let args = vec!["restore".into(), r.backup.clone()];
        // Retried while the database starts; the script is idempotent.
        out.push(Child::new(&job(ps, svc, name, "restore", args, env, 6)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::{PetStoreStatus, RestoreSpec};
    use crate::fixtures;

    #[test]
    fn backup_now_once_per_token() {
        let mut ps = fixtures::minimal();
        assert!(build(&ps).is_empty());
        ps.metadata.annotations =
            Some([(BACKUP_NOW_ANNOTATION.to_string(), "t1".to_string())].into());
        let jobs = build(&ps);
        assert_eq!(jobs.len(), backup::databases(&ps).len());
        assert!(
            jobs[0].name.starts_with("shop-backup-users-now-"),
            "{}",
            jobs[0].name
        );
        ps.status = Some(PetStoreStatus {
            backup_now: Some("t1".into()),
            ..PetStoreStatus::default()
        });
        assert!(build(&ps).is_empty());
    }

    #[test]
    fn restore_job_runs_restore_with_force_flag() {
        let mut ps = fixtures::minimal();
        ps.spec.restore = Some(RestoreSpec {
            service: "users".into(),
            backup: "petstore_users_backup_20260101_030000.dump".into(),
            force: false,
        });
        let jobs = build(&ps);
        assert_eq!(jobs.len(), 1);
        let job: Job = serde_json::from_value(jobs[0].object.clone()).expect("job");
        let c = &job
            .spec
            .expect("spec")
            .template
            .spec
            .expect("pod")
            .containers[0];
        assert_eq!(
            c.args,
            Some(vec![
                "restore".to_string(),
                "petstore_users_backup_20260101_030000.dump".to_string()
            ])
        );
        assert!(
            c.env
                .iter()
                .flatten()
                .any(|e| e.name == "RESTORE_FORCE" && e.value.as_deref() == Some("false"))
        );
    }
}
