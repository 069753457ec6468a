//! Status from the children's state: pure, so it is tested without a client.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use serde_json::Value;

use crate::build::{self, backup, postgres, rabbitmq};
use crate::crd::{BackupStatus, PetStore, PetStoreStatus, Phase, PostgresTopology, ServiceStatus};

/// Current objects by `(kind, name)`.
pub type Observed = HashMap<(String, String), Value>;

fn int(v: &Value, path: &[&str]) -> Option<i64> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_i64)
}

fn ready_replicas(observed: &Observed, kind: &str, name: &str) -> i32 {
    observed
        .get(&(kind.to_string(), name.to_string()))
        .and_then(|o| int(o, &["status", "readyReplicas"]))
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or(0)
}

/// Where a Deployment's rollout of its current template stands.
enum Rollout {
    /// The controller observed the current generation and updated every pod.
    Done,
    /// Still rolling (or not yet observed): not Ready, with what it waits for.
    Unfinished(String),
    /// The Deployment controller gave up (`ProgressDeadlineExceeded`).
    Failed(String),
}

/// Reads the rollout from the Deployment's status as the deployment
/// controller writes it: `observedGeneration`, `updatedReplicas` and the
/// `Progressing` condition. Ready replicas alone are not enough: the old
/// pods of a stuck rollout stay ready.
fn rollout(observed: &Observed, name: &str, desired: i32) -> Rollout {
    let Some(d) = observed.get(&("Deployment".to_string(), name.to_string())) else {
        return Rollout::Unfinished("no Deployment yet".into());
    };
    let progressing = d
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Progressing"))
        });
    if let Some(c) = progressing
        && c.get("reason").and_then(Value::as_str) == Some("ProgressDeadlineExceeded")
    {
        let message = c.get("message").and_then(Value::as_str).unwrap_or_default();
        return Rollout::Failed(format!(
            "Deployment {name}: ProgressDeadlineExceeded: {message}"
        ));
    }
    let generation = int(d, &["metadata", "generation"]).unwrap_or(0);
    let seen = int(d, &["status", "observedGeneration"]).unwrap_or(0);
    if seen < generation {
        return Rollout::Unfinished(format!(
            "Deployment {name}: generation {generation} not yet observed"
        ));
    }
    let updated = int(d, &["status", "updatedReplicas"]).unwrap_or(0);
    if updated < i64::from(desired) {
        return Rollout::Unfinished(format!("rolling out: {updated}/{desired} pods updated"));
    }
    Rollout::Done
}

fn condition(
    type_: &str,
    ok: bool,
    reason: &str,
    message: String,
    generation: Option<i64>,
) -> Condition {
    Condition {
        type_: type_.into(),
        status: if ok { "True" } else { "False" }.into(),
        reason: reason.into(),
        message,
        observed_generation: generation,
        last_transition_time: Time(jiff::Timestamp::now()),
    }
}

fn summary(kind: &str, waiting: &[String]) -> (bool, &'static str, String) {
    if waiting.is_empty() {
        (true, "AllReady", format!("every {kind} is ready"))
    } else {
        (
            false,
            "NotReady",
            format!("waiting for {}", waiting.join(", ")),
        )
    }
}

/// Status of a PetStore whose children are `observed`.
pub fn compute(ps: &PetStore, observed: &Observed) -> PetStoreStatus {
    let generation = ps.metadata.generation;
    let mut services = BTreeMap::new();
    let mut waiting_services = Vec::new();
    let mut failed_services = Vec::new();
    for svc in ps.spec.enabled_services() {
        let cfg = ps.spec.service(svc.name);
        let name = build::service_name(ps, svc.name);
        let desired = if cfg.autoscaling.enabled {
            observed
                .get(&("HorizontalPodAutoscaler".to_string(), name.clone()))
                .and_then(|h| int(h, &["status", "desiredReplicas"]))
                .and_then(|n| i32::try_from(n).ok())
                .filter(|n| *n > 0)
                .unwrap_or(cfg.autoscaling.min_replicas)
        } else {
            cfg.replicas
        };
        let ready = ready_replicas(observed, "Deployment", &name);
        match rollout(observed, &name, desired) {
            Rollout::Failed(why) => {
                failed_services.push(format!("{} ({why})", svc.name));
                waiting_services.push(svc.name.to_string());
            }
            _ if ready < desired => {
                waiting_services.push(format!("{} ({ready}/{desired} ready)", svc.name));
            }
            Rollout::Unfinished(why) => {
                waiting_services.push(format!("{} ({why})", svc.name));
            }
            Rollout::Done => {}
        }
        services.insert(
            svc.name.to_string(),
            ServiceStatus {
                ready_replicas: ready,
                desired_replicas: desired,
            },
        );
    }
    let databases: Vec<String> = match ps.spec.postgres.topology {
        PostgresTopology::PerService => ps
            .spec
            .enabled_services()
            .filter(|s| s.has_database)
            .map(|s| postgres::per_service_name(ps, s.name))
            .collect(),
        PostgresTopology::Shared => vec![postgres::shared_name(ps)],
    };
    let waiting_dbs: Vec<String> = databases
        .into_iter()
        .filter(|n| ready_replicas(observed, "StatefulSet", n) < 1)
        .collect();
    let broker = rabbitmq::name(ps);
    let waiting_broker: Vec<String> = (ready_replicas(observed, "StatefulSet", &broker) < 1)
        .then_some(broker)
        .into_iter()
        .collect();

    let (db_ok, db_reason, db_msg) = summary("database", &waiting_dbs);
    let (mq_ok, mq_reason, mq_msg) = summary("broker", &waiting_broker);
    let (svc_ok, svc_reason, svc_msg) = if failed_services.is_empty() {
        summary("service", &waiting_services)
    } else {
        (
            false,
            "RolloutFailed",
            format!("rollout failed: {}", failed_services.join(", ")),
        )
    };
    let all = db_ok && mq_ok && svc_ok;
    let ready_msg = if all {
        "the pet store is ready".to_string()
    } else {
        let mut parts = Vec::new();
        for (ok, m) in [(db_ok, &db_msg), (mq_ok, &mq_msg), (svc_ok, &svc_msg)] {
            if !ok {
                parts.push(m.clone());
            }
        }
        parts.join("; ")
    };
    let ready_count = services.len() - waiting_services.len();
    let (backups, backup_condition) = backups(ps, observed, generation);
    let old = ps.status.as_ref();
    PetStoreStatus {
        observed_generation: generation,
        phase: if all {
            Phase::Ready
        } else if !failed_services.is_empty() {
            Phase::Degraded
        } else {
            Phase::Progressing
        },
        ready_services: Some(format!("{ready_count}/{}", services.len())),
        conditions: vec![
            condition(
                "Ready",
                all,
                if all {
                    "Ready"
                } else if failed_services.is_empty() {
                    "ComponentsNotReady"
                } else {
                    "RolloutFailed"
                },
                ready_msg,
                generation,
            ),
            condition("DatabasesReady", db_ok, db_reason, db_msg, generation),
            condition("BrokerReady", mq_ok, mq_reason, mq_msg, generation),
            condition("ServicesReady", svc_ok, svc_reason, svc_msg, generation),
            backup_condition,
        ],
        services,
        gateway_endpoint: Some(build::ingress::endpoint(ps)),
        backups,
        backup_now: old.and_then(|s| s.backup_now.clone()),
        restored: old.and_then(|s| s.restored.clone()),
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn has_condition(job: &Value, type_: &str) -> bool {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| text(c, "/type") == Some(type_) && text(c, "/status") == Some("True"))
        })
}

/// Per-database backup status and the `BackupReady` condition: false when
/// the most recent backup Job (scheduled or on demand) of any database
/// failed. Times are RFC 3339 strings, which order like the times.
fn backups(
    ps: &PetStore,
    observed: &Observed,
    generation: Option<i64>,
) -> (BTreeMap<String, BackupStatus>, Condition) {
    let mut out = BTreeMap::new();
    if !ps.spec.backup.enabled {
        let c = condition(
            "BackupReady",
            true,
            "BackupsDisabled",
            "backups are disabled (spec.backup.enabled is false)".into(),
            generation,
        );
        return (out, c);
    }
    let mut failed = Vec::new();
    let mut restore_failed = Vec::new();
    for svc in backup::databases(ps) {
        let cronjob = observed.get(&("CronJob".to_string(), backup::cronjob_name(ps, svc.name)));
        let jobs: Vec<(&String, &Value)> = observed
            .iter()
            .filter(|((kind, _), v)| {
                kind == "Job"
                    && text(
                        v,
                        &format!(
                            "/metadata/labels/{}",
                            backup::SERVICE_LABEL.replace('/', "~1")
                        ),
                    ) == Some(svc.name)
                    && matches!(
                        text(
                            v,
                            &format!(
                                "/metadata/labels/{}",
                                backup::TRIGGER_LABEL.replace('/', "~1")
                            )
                        ),
                        Some("schedule" | "now")
                    )
            })
            .map(|((_, name), v)| (name, v))
            .collect();
        let mut last_success = cronjob
            .and_then(|c| text(c, "/status/lastSuccessfulTime"))
            .map(str::to_string);
        for (_, job) in &jobs {
            if has_condition(job, "Complete")
                && let Some(t) = text(job, "/status/completionTime")
                && last_success.as_deref().is_none_or(|s| t > s)
            {
                last_success = Some(t.to_string());
            }
        }
        let latest = jobs.iter().max_by(|a, b| {
            let t = |j: &Value| {
                text(j, "/metadata/creationTimestamp")
                    .unwrap_or("")
                    .to_string()
            };
            (t(a.1), a.0).cmp(&(t(b.1), b.0))
        });
        if let Some((name, job)) = latest
            && has_condition(job, "Failed")
        {
            failed.push(format!("{} (Job {name})", svc.database()));
        }
        // A failed restore leaves the service waiting: say so here.
        for ((kind, name), job) in observed {
            if kind == "Job"
                && text(
                    job,
                    &format!(
                        "/metadata/labels/{}",
                        backup::SERVICE_LABEL.replace('/', "~1")
                    ),
                ) == Some(svc.name)
                && text(
                    job,
                    &format!(
                        "/metadata/labels/{}",
                        backup::TRIGGER_LABEL.replace('/', "~1")
                    ),
                ) == Some("restore")
                && has_condition(job, "Failed")
            {
                restore_failed.push(format!(
                    "{} (Job {name}; its pods wait for it)",
                    svc.database()
                ));
            }
        }
        out.insert(
            svc.name.to_string(),
            BackupStatus {
                database: svc.database(),
                last_successful_backup: last_success,
                last_scheduled_backup: cronjob
                    .and_then(|c| text(c, "/status/lastScheduleTime"))
                    .map(str::to_string),
            },
        );
    }
    let c = if !restore_failed.is_empty() {
        let mut msg = format!("the restore failed: {}", restore_failed.join(", "));
        if !failed.is_empty() {
            msg.push_str(&format!("; the last backup failed: {}", failed.join(", ")));
        }
        condition("BackupReady", false, "RestoreFailed", msg, generation)
    } else if failed.is_empty() {
        condition(
            "BackupReady",
            true,
            "NoFailedBackup",
            format!(
                "the last backup of every database succeeded or has not run yet (schedule {})",
                ps.spec.backup.schedule
            ),
            generation,
        )
    } else {
        condition(
            "BackupReady",
            false,
            "BackupFailed",
            format!("the last backup failed: {}", failed.join(", ")),
            generation,
        )
    };
    (out, c)
}

/// Status of a PetStore whose spec is invalid: the rest of the old status is kept.
pub fn invalid(ps: &PetStore, reason: &str) -> PetStoreStatus {
    let mut status = ps.status.clone().unwrap_or_default();
    status.observed_generation = ps.metadata.generation;
    status.phase = Phase::Degraded;
    let c = condition(
        "Ready",
        false,
        "InvalidSpec",
        reason.to_string(),
        ps.metadata.generation,
    );
    match status.conditions.iter_mut().find(|c| c.type_ == "Ready") {
        Some(existing) => *existing = c,
        None => status.conditions.insert(0, c),
    }
    status
}

/// Marks a status Degraded because some children could not be written:
/// `Ready` is false with reason `ApplyFailed` and a message naming each
/// child and the API's answer (the other children converged).
pub fn children_failed(status: &mut PetStoreStatus, messages: &[String]) {
    status.phase = Phase::Degraded;
    let generation = status.observed_generation;
    let c = condition(
        "Ready",
        false,
        "ApplyFailed",
        messages.join("; "),
        generation,
    );
    match status.conditions.iter_mut().find(|c| c.type_ == "Ready") {
        Some(existing) => *existing = c,
        None => status.conditions.insert(0, c),
    }
}

/// Keeps the transition time of conditions whose status did not change, so
/// an unchanged store yields an identical status.
pub fn keep_transition_times(new: &mut PetStoreStatus, old: Option<&PetStoreStatus>) {
    let Some(old) = old else { return };
    for c in &mut new.conditions {
        if let Some(o) = old.conditions.iter().find(|o| o.type_ == c.type_)
            && o.status == c.status
        {
            c.last_transition_time = o.last_transition_time.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use serde_json::json;

    #[test]
    fn nothing_ready_is_progressing_with_reasons() {
        let ps = fixtures::minimal();
        let s = compute(&ps, &Observed::new());
        assert_eq!(s.phase, Phase::Progressing);
        let n = petstore_contract::SERVICES.len();
        assert_eq!(s.ready_services, Some(format!("0/{n}")));
        let ready = &s.conditions[0];
        assert_eq!(
            (ready.type_.as_str(), ready.status.as_str()),
            ("Ready", "False")
        );
        assert!(
            ready.message.contains("shop-postgres-users"),
            "{}",
            ready.message
        );
        assert!(s.conditions[3].message.contains("users (0/2 ready)"));
    }

    #[test]
    fn everything_ready_is_ready() {
        let ps = fixtures::minimal();
        let mut observed = Observed::new();
        let ready = |n| json!({"status": {"readyReplicas": n}});
        // As the deployment controller reports a finished rollout.
        let rolled = |n| {
            json!({"metadata": {"generation": 1}, "status": {"readyReplicas": n,
                "updatedReplicas": n, "observedGeneration": 1}})
        };
        observed.insert(("StatefulSet".into(), "shop-rabbitmq".into()), ready(1));
        for svc in petstore_contract::SERVICES {
            let name = format!("shop-{}", svc.name);
            observed.insert(("Deployment".into(), name), rolled(2));
            if svc.has_database {
                let db = format!("shop-postgres-{}", svc.name);
                observed.insert(("StatefulSet".into(), db), ready(1));
            }
        }
        let s = compute(&ps, &observed);
        assert_eq!(s.phase, Phase::Ready);
        assert!(s.conditions.iter().all(|c| c.status == "True"));
    }

    #[test]
    fn a_failed_last_backup_turns_backup_ready_false() {
        let ps = fixtures::minimal();
        let mut observed = Observed::new();
        observed.insert(
            ("CronJob".into(), "shop-backup-users".into()),
            json!({"status": {"lastScheduleTime": "2026-01-02T03:00:00Z", "lastSuccessfulTime": "2026-01-01T03:00:10Z"}}),
        );
        let job = |trigger: &str, created: &str, cond: &str| {
            json!({"metadata": {"creationTimestamp": created, "labels": {
                "petstore.dev/backup-service": "users", "petstore.dev/backup-trigger": trigger}},
                "status": {"conditions": [{"type": cond, "status": "True"}], "completionTime": "2026-01-01T03:00:10Z"}})
        };
        observed.insert(
            ("Job".into(), "a".into()),
            job("schedule", "2026-01-01T03:00:00Z", "Complete"),
        );
        observed.insert(
            ("Job".into(), "b".into()),
            job("schedule", "2026-01-02T03:00:00Z", "Failed"),
        );
        let s = compute(&ps, &observed);
        let c = s
            .conditions
            .iter()
            .find(|c| c.type_ == "BackupReady")
            .expect("BackupReady");
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("False", "BackupFailed")
        );
        assert!(
            c.message.contains("petstore_users (Job b)"),
            "{}",
            c.message
        );
        let users = &s.backups["users"];
        assert_eq!(
            users.last_successful_backup.as_deref(),
            Some("2026-01-01T03:00:10Z")
        );
        assert_eq!(
            users.last_scheduled_backup.as_deref(),
            Some("2026-01-02T03:00:00Z")
        );

        // A later successful on-demand backup clears it.
        observed.insert(
            ("Job".into(), "c".into()),
            job("now", "2026-01-02T09:00:00Z", "Complete"),
        );
        let s = compute(&ps, &observed);
        let c = s
            .conditions
            .iter()
            .find(|c| c.type_ == "BackupReady")
            .expect("BackupReady");
        assert_eq!(c.status, "True");
    }

    #[test]
    fn a_failed_restore_says_the_service_waits() {
        let ps = fixtures::minimal();
        let mut observed = Observed::new();
        observed.insert(
            ("Job".into(), "shop-restore-users-1".into()),
            json!({"metadata": {"labels": {
                "petstore.dev/backup-service": "users", "petstore.dev/backup-trigger": "restore"}},
                "status": {"conditions": [{"type": "Failed", "status": "True"}]}}),
        );
        let s = compute(&ps, &observed);
        let c = s
            .conditions
            .iter()
            .find(|c| c.type_ == "BackupReady")
            .expect("BackupReady");
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("False", "RestoreFailed")
        );
        assert!(c.message.contains("shop-restore-users-1"), "{}", c.message);
    }

    #[test]
    fn transition_times_survive_an_unchanged_status() {
        let ps = fixtures::minimal();
        let old = compute(&ps, &Observed::new());
        std::thread::sleep(std::time::Duration::from_millis(2));
        let mut new = compute(&ps, &Observed::new());
        keep_transition_times(&mut new, Some(&old));
        assert_eq!(new, old);
    }
}
