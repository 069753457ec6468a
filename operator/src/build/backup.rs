//! Backups: the backup script ConfigMap, a backup volume and a pg_dump
//! CronJob per service database, from `spec.backup`.
//!
//! Every backup pod runs [`SCRIPT`] (`operator/scripts/petstore-backup.sh`,
//! embedded here so the bytes the tests run are the bytes shipped) in the
//! PostgreSQL image, which has bash, pg_dump and pg_restore; the service
//! images are FROM scratch and have neither. It connects as the service's
//! own database user (the owner of the database, so it can dump and restore
//! all of it) with the password from the service's generated Secret.
//!
//! One volume per database (`<instance>-backups-<service>`) rather than one
//! per store: the CronJobs of different databases never contend for a
//! ReadWriteOnce volume, a full disk stops only one database's backups, and
//! a restore mounts exactly the backups of its database. The claims carry no
//! owner reference: like the databases' own volumes they outlive the
//! PetStore unless `dataRetention: Delete`, and disabling backups never
//! deletes them. On-demand and restore Jobs are in [`super::backup_job`].
//!
//! Database NetworkPolicies admit pods labelled with the component
//! [`COMPONENT`] of the same instance.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, EnvVar, EnvVarSource, PersistentVolumeClaim,
    PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec, SecretKeySelector, Volume,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use petstore_contract::ServiceSpec;

use super::{Child, instance, meta, postgres, secrets, security};
use crate::crd::PetStore;

/// `app.kubernetes.io/component` of backup job pods.
pub const COMPONENT: &str = "backup";
/// The backup program, shipped in the ConfigMap [`script_name`].
pub const SCRIPT: &str = include_str!("../../scripts/petstore-backup.sh");
/// Key (file name) of the script in its ConfigMap.
pub const SCRIPT_FILE: &str = "petstore-backup.sh";
/// Where the script ConfigMap is mounted.
pub const SCRIPT_DIR: &str = "/scripts";
/// Where the backup volume is mounted.
pub const BACKUP_DIR: &str = "/backups";
/// Label naming the service whose database a backup Job works on.
pub const SERVICE_LABEL: &str = "petstore.dev/backup-service";
/// Label saying what started a backup Job: `schedule`, `now` or `restore`.
pub const TRIGGER_LABEL: &str = "petstore.dev/backup-trigger";

/// Name of the ConfigMap holding the script.
pub fn script_name(ps: &PetStore) -> String {
    format!("{}-backup-script", instance(ps))
}

/// Name of the CronJob of a service's database.
pub fn cronjob_name(ps: &PetStore, service: &str) -> String {
    format!("{}-backup-{service}", instance(ps))
}

/// Name of the backup volume of a service's database.
pub fn volume_name(ps: &PetStore, service: &str) -> String {
    format!("{}-backups-{service}", instance(ps))
}

/// The services whose databases are backed up: enabled, with a database.
pub fn databases(ps: &PetStore) -> Vec<&'static ServiceSpec> {
    ps.spec
        .enabled_services()
        .filter(|s| s.has_database)
        .collect()
}

/// The command every backup container runs, followed by the subcommand.
pub fn command() -> Vec<String> {
    vec!["bash".into(), format!("{SCRIPT_DIR}/{SCRIPT_FILE}")]
}

/// The backup objects of a PetStore: the script, and per database a volume
/// and a CronJob when backups are enabled; the script and the target's
/// volume for a restore.
pub fn build(ps: &PetStore) -> Vec<Child> {
    let mut services: Vec<&ServiceSpec> = Vec::new();
    if ps.spec.backup.enabled {
        services = databases(ps);
    }
    if let Some(r) = &ps.spec.restore
        && let Some(svc) = petstore_contract::service(&r.service)
        && !services.iter().any(|s| s.name == svc.name)
    {
        services.push(svc);
    }
    if services.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Child::new(&script_config_map(ps))];
    for svc in &services {
        out.push(Child::new(&volume(ps, svc)));
    }
    if ps.spec.backup.enabled {
        for svc in &services {
            out.push(Child::new(&cronjob(ps, svc)));
        }
    }
    out
}

/// The ConfigMap with the backup script.
pub fn script_config_map(ps: &PetStore) -> ConfigMap {
    ConfigMap {
        metadata: meta(ps, script_name(ps), "backup", COMPONENT),
        data: Some(BTreeMap::from([(SCRIPT_FILE.into(), SCRIPT.into())])),
        ..ConfigMap::default()
    }
}

/// The backup volume of a database (no owner reference: it is data).
pub fn volume(ps: &PetStore, svc: &ServiceSpec) -> PersistentVolumeClaim {
    let app = format!("backup-{}", svc.name);
    let mut pvc = postgres::volume_claim(ps, &app, COMPONENT, &ps.spec.backup.storage);
    pvc.metadata.name = Some(volume_name(ps, svc.name));
    pvc.metadata.namespace = Some(super::namespace(ps));
    pvc
}

/// Labels of a backup Job and its pod.
pub fn job_labels(ps: &PetStore, svc: &ServiceSpec, trigger: &str) -> BTreeMap<String, String> {
    let mut l = super::labels(ps, &format!("backup-{}", svc.name), COMPONENT);
    l.insert(SERVICE_LABEL.into(), svc.name.into());
    l.insert(TRIGGER_LABEL.into(), trigger.into());
    l
}

fn plain(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..EnvVar::default()
    }
}

/// The libpq environment reaching a service's database as its own user.
pub fn connection_env(ps: &PetStore, svc: &ServiceSpec) -> Vec<EnvVar> {
    vec![
        plain("PGHOST", postgres::host(ps, svc)),
        plain("PGPORT", "5432"),
        plain("PGUSER", svc.database()),
        EnvVar {
            name: "PGPASSWORD".into(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: secrets::database(ps, svc.name),
                    key: secrets::PASSWORD.into(),
                    optional: Some(false),
                }),
                ..EnvVarSource::default()
            }),
            ..EnvVar::default()
        },
        plain("PGDATABASE", svc.database()),
        plain("PGCONNECT_TIMEOUT", "10"),
        plain("HOME", "/tmp"),
    ]
}

/// The script volume (and its mount), for any pod running the script.
pub fn script_volume(ps: &PetStore) -> (Volume, VolumeMount) {
    let volume = Volume {
        name: "backup-script".into(),
        config_map: Some(ConfigMapVolumeSource {
            name: script_name(ps),
            default_mode: Some(0o555),
            ..ConfigMapVolumeSource::default()
        }),
        ..Volume::default()
    };
    let mount = VolumeMount {
        read_only: Some(true),
        ..security::mount("backup-script", SCRIPT_DIR)
    };
    (volume, mount)
}

/// A Job spec running `petstore-backup.sh <args>` against a service's
/// database with its backup volume mounted.
pub fn job_spec(
    ps: &PetStore,
    svc: &ServiceSpec,
    trigger: &str,
    args: Vec<String>,
    extra_env: Vec<EnvVar>,
    backoff_limit: i32,
) -> JobSpec {
    let b = &ps.spec.backup;
    let mut env = connection_env(ps, svc);
    env.push(plain("BACKUP_DIR", BACKUP_DIR));
    env.push(plain("BACKUP_RETENTION", b.retention.to_string()));
    env.extend(extra_env);
    let (script_vol, script_mount) = script_volume(ps);
    JobSpec {
        backoff_limit: Some(backoff_limit),
        active_deadline_seconds: Some(3 * 3600),
        template: PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(job_labels(ps, svc, trigger)),
                ..ObjectMeta::default()
            }),
            spec: Some(PodSpec {
                restart_policy: Some("Never".into()),
                automount_service_account_token: Some(false),
                security_context: Some(security::pod(security::DATA_UID)),
                containers: vec![Container {
                    name: "backup".into(),
                    image: Some(ps.spec.postgres.image.clone()),
                    command: Some(command()),
                    args: Some(args),
                    env: Some(env),
                    resources: Some(
                        b.resources
                            .clone()
                            .unwrap_or_else(postgres::default_resources),
                    ),
                    security_context: Some(security::container()),
                    volume_mounts: Some(vec![
                        script_mount,
                        security::mount("backups", BACKUP_DIR),
                        security::mount("tmp", "/tmp"),
                    ]),
                    ..Container::default()
                }],
                volumes: Some(vec![
                    script_vol,
                    Volume {
                        name: "backups".into(),
                        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                            claim_name: volume_name(ps, svc.name),
                            read_only: None,
                        }),
                        ..Volume::default()
                    },
                    security::scratch_volume("tmp"),
                ]),
                ..PodSpec::default()
            }),
        },
        ..JobSpec::default()
    }
}

/// The scheduled backup of a service's database.
pub fn cronjob(ps: &PetStore, svc: &ServiceSpec) -> CronJob {
    let b = &ps.spec.backup;
    let labels = job_labels(ps, svc, "schedule");
    let mut metadata = meta(
        ps,
        cronjob_name(ps, svc.name),
        &format!("backup-{}", svc.name),
        COMPONENT,
    );
    if let Some(l) = metadata.labels.as_mut() {
        l.insert(SERVICE_LABEL.into(), svc.name.into());
    }
    CronJob {
        metadata,
        spec: Some(CronJobSpec {
            schedule: b.schedule.clone(),
            time_zone: b.time_zone.clone(),
            suspend: Some(b.suspend),
            concurrency_policy: Some("Forbid".into()),
            starting_deadline_seconds: Some(3600),
            successful_jobs_history_limit: Some(b.successful_jobs_history_limit),
            failed_jobs_history_limit: Some(b.failed_jobs_history_limit),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(job_spec(
                    ps,
                    svc,
                    "schedule",
                    vec!["backup".into()],
                    Vec::new(),
                    2,
                )),
            },
        }),
        ..CronJob::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::PostgresTopology;
    use crate::fixtures;

    fn ids(ps: &PetStore) -> Vec<String> {
        build(ps).iter().map(Child::id).collect()
    }

    #[test]
    fn one_cronjob_and_volume_per_database() {
        let ps = fixtures::minimal();
        let dbs = databases(&ps);
        let got = ids(&ps);
        assert_eq!(got[0], "ConfigMap/shop-backup-script");
        for svc in &dbs {
            assert!(
                got.contains(&format!("CronJob/shop-backup-{}", svc.name)),
                "{got:?}"
            );
            assert!(got.contains(&format!("PersistentVolumeClaim/shop-backups-{}", svc.name)));
        }
        assert_eq!(got.len(), 1 + 2 * dbs.len());
    }

    #[test]
    fn cronjob_runs_the_script_against_the_right_database() {
        let mut ps = fixtures::minimal();
        ps.spec.postgres.topology = PostgresTopology::Shared;
        ps.spec.backup.suspend = true;
        let cj = cronjob(&ps, &petstore_contract::USERS);
        let spec = cj.spec.expect("spec");
        assert_eq!(spec.schedule, "0 3 * * *");
        assert_eq!(spec.concurrency_policy.as_deref(), Some("Forbid"));
        assert_eq!(spec.suspend, Some(true));
        let pod = spec
            .job_template
            .spec
            .expect("job")
            .template
            .spec
            .expect("pod");
        let c = &pod.containers[0];
        assert_eq!(
            c.command,
            Some(vec![
                "bash".to_string(),
                "/scripts/petstore-backup.sh".to_string()
            ])
        );
        assert_eq!(c.args, Some(vec!["backup".to_string()]));
        let env = c.env.clone().expect("env");
        let var = |n: &str| {
            env.iter()
                .find(|e| e.name == n)
                .and_then(|e| e.value.clone())
        };
        assert_eq!(var("PGHOST").as_deref(), Some("shop-postgres"));
        assert_eq!(var("PGDATABASE").as_deref(), Some("petstore_users"));
        assert_eq!(var("BACKUP_RETENTION").as_deref(), Some("7"));
        assert_eq!(c.image.as_deref(), Some("postgres:17"));
    }

    #[test]
    fn backup_volumes_are_not_owned_and_disabled_means_none() {
        let mut ps = fixtures::minimal();
        ps.metadata.uid = Some("u".into());
        let pvc = volume(&ps, &petstore_contract::USERS);
        assert!(pvc.metadata.owner_references.is_none());
        ps.spec.backup.enabled = false;
        assert!(build(&ps).is_empty());
    }

    #[test]
    fn the_shipped_script_is_the_tested_file() {
        let ps = fixtures::minimal();
        let cm = script_config_map(&ps);
        assert_eq!(cm.data.expect("data")[SCRIPT_FILE], SCRIPT);
        assert!(SCRIPT.starts_with("#!/usr/bin/env bash"));
    }
}
