//! PostgreSQL: one StatefulSet (with a PersistentVolumeClaim) and one
//! headless Service per service with a database, or one shared instance
//! holding every service's database (created by an init script).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, ContainerPort, EnvVar, EnvVarSource, ExecAction,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SecretKeySelector, Service, ServicePort, ServiceSpec as KSvc, Volume,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use petstore_contract::ServiceSpec;

use super::{Child, credentials, instance, labels, meta, secrets, security, selector};
use crate::crd::{PetStore, PostgresTopology, StorageSpec};

/// `app.kubernetes.io/component` of the databases.
pub const COMPONENT: &str = "database";
const DATA: &str = "/var/lib/postgresql/data";
/// Variable of the start script: the roles whose passwords follow their
/// Secrets (see [`super::credentials`]).
const ROLES: &str = "PETSTORE_ROLES";

/// Name of a service's own PostgreSQL instance.
pub fn per_service_name(ps: &PetStore, service: &str) -> String {
    format!("{}-postgres-{service}", instance(ps))
}

/// Name of the shared PostgreSQL instance.
pub fn shared_name(ps: &PetStore) -> String {
    format!("{}-postgres", instance(ps))
}

/// Host name of the database server of `svc`.
pub fn host(ps: &PetStore, svc: &ServiceSpec) -> String {
    match ps.spec.postgres.topology {
        PostgresTopology::PerService => per_service_name(ps, svc.name),
        PostgresTopology::Shared => shared_name(ps),
    }
}

/// Requests and limits of a data store when the spec gives none.
pub fn default_resources() -> ResourceRequirements {
    security::resources("100m", "256Mi", "512Mi")
}

/// Every PostgreSQL object of the store.
pub fn build(ps: &PetStore) -> Vec<Child> {
    let mut out = Vec::new();
    match ps.spec.postgres.topology {
        PostgresTopology::PerService => {
            let enabled = ps.spec.enabled_services().filter(|s| s.has_database);
            for svc in enabled {
                let name = per_service_name(ps, svc.name);
                let app = format!("postgres-{}", svc.name);
                let env = vec![
                    plain("POSTGRES_USER", svc.database()),
                    plain("POSTGRES_DB", svc.database()),
                    secret("POSTGRES_PASSWORD", secrets::database(ps, svc.name)),
                    plain("PGDATA", format!("{DATA}/pgdata")),
                    plain(ROLES, format!("{}:POSTGRES_PASSWORD", svc.database())),
                ];
                out.push(Child::new(&headless(ps, &name, &app)));
                out.push(Child::new(&statefulset(
                    ps,
                    &name,
                    &app,
                    env,
                    None,
                    max_connections(ps, svc.name),
                )));
            }
        }
        PostgresTopology::Shared => {
            // Every service of the contract, enabled or not: toggling a
            // service must not restart the database of all the others, and a
            // service enabled later finds its database (the init script only
            // runs on an empty volume). Its credentials exist either way.
            let services: Vec<_> = petstore_contract::SERVICES
                .iter()
                .filter(|s| s.has_database)
                .collect();
            let name = shared_name(ps);
            let mut env = vec![
                plain("POSTGRES_USER", secrets::POSTGRES_ADMIN_USER),
                secret("POSTGRES_PASSWORD", secrets::postgres_admin(ps)),
                plain("PGDATA", format!("{DATA}/pgdata")),
            ];
            let mut roles = vec![format!(
                "{}:POSTGRES_PASSWORD",
                secrets::POSTGRES_ADMIN_USER
            )];
            for svc in &services {
                env.push(secret(&password_var(svc), secrets::database(ps, svc.name)));
                roles.push(format!(
                    "{db}:{var}:{db}",
                    db = svc.database(),
                    var = password_var(svc)
                ));
            }
            env.push(plain(ROLES, roles.join(" ")));
            let script = init_script(&services);
            out.push(Child::new(&ConfigMap {
                metadata: meta(ps, format!("{name}-init"), "postgres", COMPONENT),
                data: Some(BTreeMap::from([("create-databases.sh".into(), script)])),
                ..ConfigMap::default()
            }));
            out.push(Child::new(&headless(ps, &name, "postgres")));
            out.push(Child::new(&statefulset(
                ps,
                &name,
                "postgres",
                env,
                Some(format!("{name}-init")),
                max_connections(ps, ""),
            )));
        }
    }
    out
}

fn password_var(svc: &ServiceSpec) -> String {
    format!("{}_PASSWORD", svc.database().to_ascii_uppercase())
}

/// Creates a user and a database per service, on the first start of an empty volume.
fn init_script(services: &[&ServiceSpec]) -> String {
    let mut s = String::from(
        "#!/bin/sh\n# Generated by petstore-operator: a user and a database per service.\nset -eu\n",
    );
    for svc in services {
        let db = svc.database();
        s.push_str(&format!(
            "psql -v ON_ERROR_STOP=1 --username \"$POSTGRES_USER\" --dbname postgres \
             -c \"CREATE USER {db} PASSWORD '${var}'\" -c \"CREATE DATABASE {db} OWNER {db}\"\n",
            var = password_var(svc)
        ));
    }
    s
}

fn plain(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..EnvVar::default()
    }
}

fn secret(name: &str, secret: String) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret,
                key: secrets::PASSWORD.into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// A headless Service (the StatefulSet's governing Service), on `port`s.
pub fn headless_service(
    ps: &PetStore,
    name: &str,
    app: &str,
    component: &str,
    ports: &[(&str, u16)],
) -> Service {
    Service {
        metadata: meta(ps, name, app, component),
        spec: Some(KSvc {
            cluster_ip: Some("None".into()),
            selector: Some(selector(ps, app)),
            ports: Some(
                ports
                    .iter()
                    .map(|(n, p)| ServicePort {
                        name: Some((*n).into()),
                        port: i32::from(*p),
                        protocol: Some("TCP".into()),
                        ..ServicePort::default()
                    })
                    .collect(),
            ),
            ..KSvc::default()
        }),
        ..Service::default()
    }
}

fn headless(ps: &PetStore, name: &str, app: &str) -> Service {
    headless_service(ps, name, app, COMPONENT, &[("postgres", 5432)])
}

/// The PersistentVolumeClaim template named `data`, labelled so the
/// finalizer finds the claims of this PetStore.
pub fn volume_claim(
    ps: &PetStore,
    app: &str,
    component: &str,
    storage: &StorageSpec,
) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some("data".into()),
            labels: Some(super::labels(ps, app, component)),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: storage.storage_class_name.clone(),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".into(),
                    Quantity(storage.size.clone()),
                )])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

/// `max_connections` of the instance of `service` (`""`: the shared one),
/// from the connection budget (see [`super::connections`]).
fn max_connections(ps: &PetStore, service: &str) -> i32 {
    super::connections::budget(&ps.spec)
        .ok()
        .and_then(|b| b.max_connections.get(service).copied())
        .unwrap_or(super::connections::POSTGRES_DEFAULT)
}

fn statefulset(
    ps: &PetStore,
    name: &str,
    app: &str,
    env: Vec<EnvVar>,
    init: Option<String>,
    max_connections: i32,
) -> StatefulSet {
    let spec = &ps.spec.postgres;
    let mut mounts = vec![
        security::mount("data", DATA),
        security::mount("tmp", "/tmp"),
        security::mount("run", "/var/run/postgresql"),
    ];
    let (scripts, scripts_mount) = credentials::volume(ps);
    mounts.push(scripts_mount);
    let mut volumes = vec![
        security::scratch_volume("tmp"),
        security::scratch_volume("run"),
        scripts,
    ];
    if let Some(cm) = init {
        mounts.push(security::mount("init", "/docker-entrypoint-initdb.d"));
        volumes.push(Volume {
            name: "init".into(),
            config_map: Some(ConfigMapVolumeSource {
                name: cm,
                default_mode: Some(0o555),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    let ready = Probe {
        exec: Some(ExecAction {
            command: Some(vec![
                "pg_isready".into(),
                "--host".into(),
                "127.0.0.1".into(),
            ]),
        }),
        period_seconds: Some(10),
        ..Probe::default()
    };
    let mut pod_labels = selector(ps, app);
    pod_labels.insert(labels::COMPONENT.into(), COMPONENT.into());
    pod_labels.insert(labels::MANAGED_BY.into(), super::MANAGED_BY.into());
    StatefulSet {
        metadata: meta(ps, name, app, COMPONENT),
        spec: Some(StatefulSetSpec {
            replicas: Some(1),
            service_name: Some(name.into()),
            selector: LabelSelector {
                match_labels: Some(selector(ps, app)),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    automount_service_account_token: Some(false),
                    security_context: Some(security::pod(security::DATA_UID)),
                    containers: vec![Container {
                        name: "postgres".into(),
                        image: Some(spec.image.clone()),
                        command: Some(credentials::command(credentials::POSTGRES_START_FILE)),
                        args: Some(vec![
                            "-c".into(),
                            format!("max_connections={max_connections}"),
                        ]),
                        ports: Some(vec![ContainerPort {
                            name: Some("postgres".into()),
                            container_port: 5432,
                            protocol: Some("TCP".into()),
                            ..ContainerPort::default()
                        }]),
                        env: Some(env),
                        resources: Some(spec.resources.clone().unwrap_or_else(default_resources)),
                        readiness_probe: Some(ready.clone()),
                        liveness_probe: Some(Probe {
                            initial_delay_seconds: Some(30),
                            ..ready
                        }),
                        security_context: Some(security::container()),
                        volume_mounts: Some(mounts),
                        ..Container::default()
                    }],
                    volumes: Some(volumes),
                    ..PodSpec::default()
                }),
            },
            volume_claim_templates: Some(vec![volume_claim(ps, app, COMPONENT, &spec.storage)]),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn names(children: &[Child]) -> Vec<String> {
        children.iter().map(Child::id).collect()
    }

    #[test]
    fn per_service_is_one_instance_per_database() {
        let ps = fixtures::minimal();
        let expected: Vec<String> = petstore_contract::SERVICES
            .iter()
            .filter(|s| s.has_database)
            .flat_map(|s| {
                [
                    format!("Service/shop-postgres-{}", s.name),
                    format!("StatefulSet/shop-postgres-{}", s.name),
                ]
            })
            .collect();
        assert_eq!(names(&build(&ps)), expected);
    }

    #[test]
    fn shared_is_one_instance_with_an_init_script() {
        let ps = fixtures::full();
        let children = build(&ps);
        assert_eq!(
            names(&children),
            [
                "ConfigMap/shop-postgres-init",
                "Service/shop-postgres",
                "StatefulSet/shop-postgres"
            ]
        );
        let script = children[0].object["data"]["create-databases.sh"]
            .as_str()
            .unwrap_or("");
        assert!(script.contains("CREATE DATABASE petstore_users OWNER petstore_users"));
        assert!(script.contains("$PETSTORE_CATALOG_PASSWORD"));
        assert_eq!(host(&ps, &petstore_contract::USERS), "shop-postgres");
    }

    #[test]
    fn volume_uses_the_storage_spec() {
        let ps = fixtures::full();
        let sts: StatefulSet = serde_json::from_value(build(&ps)[2].object.clone()).expect("sts");
        let claim = &sts
            .spec
            .expect("spec")
            .volume_claim_templates
            .expect("claims")[0];
        let spec = claim.spec.clone().expect("spec");
        assert_eq!(spec.storage_class_name.as_deref(), Some("fast"));
        assert_eq!(
            spec.resources.and_then(|r| r.requests).expect("requests")["storage"],
            Quantity("20Gi".into())
        );
    }
}
