//! The Deployment of one service: its container, the migrate init container,
//! probes, resources, the restricted security context and the environment
//! from the contract and the generated Secrets.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, EnvVarSource, HTTPGetAction, LocalObjectReference, PodSpec,
    PodTemplateSpec, Probe, ResourceRequirements, SecretKeySelector,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use petstore_contract::{ServiceSpec, endpoints, env};

use super::{labels, meta, secrets, security, selector, service_image, service_name};
use crate::crd::{PetStore, ServiceConfig};

/// `app.kubernetes.io/component` of the services.
pub const COMPONENT: &str = "service";

/// Requests and limits when the spec gives none.
pub fn default_resources() -> ResourceRequirements {
    security::resources("100m", "128Mi", "256Mi")
}

/// The Deployment of `svc`.
pub fn build(ps: &PetStore, svc: &ServiceSpec, cfg: &ServiceConfig) -> Deployment {
    let name = service_name(ps, svc.name);
    let env = environment(ps, svc, cfg);
    let image = service_image(ps);
    let pull_policy = Some(ps.spec.image.pull_policy.as_str().to_string());

    let restore = ps
        .spec
        .restore
        .as_ref()
        .filter(|r| r.service == svc.name && svc.has_database);
    let mut volumes = vec![security::scratch_volume("tmp")];
    let mut init = Vec::new();
    if let Some(r) = restore {
        // Waits (in the PostgreSQL image, which has psql) until the restore
        // Job has restored `r.backup`, so migrations run on restored data.
        let (script_vol, script_mount) = super::backup::script_volume(ps);
        volumes.push(script_vol);
        init.push(Container {
            name: "wait-for-restore".into(),
            image: Some(ps.spec.postgres.image.clone()),
            command: Some(super::backup::command()),
            args: Some(vec!["wait-restored".into(), r.backup.clone()]),
            env: Some(super::backup::connection_env(ps, svc)),
            resources: Some(default_resources()),
            security_context: Some(security::container()),
            volume_mounts: Some(vec![script_mount, security::mount("tmp", "/tmp")]),
            ..Container::default()
        });
    }
    let init_containers = svc.has_database.then(|| {
        init.push(Container {
            name: "migrate".into(),
            image: Some(image.clone()),
            image_pull_policy: pull_policy.clone(),
            command: Some(svc.migrate_command()),
            env: Some(env.clone()),
            resources: Some(cfg.resources.clone().unwrap_or_else(default_resources)),
            security_context: Some(security::container()),
            volume_mounts: Some(vec![security::mount("tmp", "/tmp")]),
            ..Container::default()
        });
        init
    });

    let probe = |path: &str, period: i32| Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::String(INTERNAL_PORT_NAME.into()),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(period),
        ..Probe::default()
    };

    let container = Container {
        name: svc.name.into(),
        image: Some(image),
        image_pull_policy: pull_policy,
        command: Some(svc.command()),
        ports: Some(vec![
            ContainerPort {
                name: Some("http".into()),
                container_port: i32::from(svc.port),
                protocol: Some("TCP".into()),
                ..ContainerPort::default()
            },
            ContainerPort {
                name: Some(INTERNAL_PORT_NAME.into()),
                container_port: i32::from(svc.internal_port()),
                protocol: Some("TCP".into()),
                ..ContainerPort::default()
            },
        ]),
        env: Some(env),
        resources: Some(cfg.resources.clone().unwrap_or_else(default_resources)),
        liveness_probe: Some(probe(endpoints::HEALTH, 10)),
        readiness_probe: Some(probe(endpoints::READY, 5)),
        security_context: Some(security::container()),
        volume_mounts: Some(vec![security::mount("tmp", "/tmp")]),
        ..Container::default()
    };

    let mut pod_labels = selector(ps, svc.name);
    pod_labels.insert(labels::COMPONENT.into(), COMPONENT.into());
    pod_labels.insert(labels::MANAGED_BY.into(), super::MANAGED_BY.into());
    let pull_secrets = &ps.spec.image.pull_secrets;

    Deployment {
        metadata: meta(ps, name, svc.name, COMPONENT),
        spec: Some(DeploymentSpec {
            // With autoscaling the HorizontalPodAutoscaler owns the replica
            // count, so the operator leaves the field alone.
            replicas: (!cfg.autoscaling.enabled).then_some(cfg.replicas),
            selector: LabelSelector {
                match_labels: Some(selector(ps, svc.name)),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: Some(scrape_annotations(svc)),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    automount_service_account_token: Some(false),
                    security_context: Some(security::pod(security::SERVICE_UID)),
                    init_containers,
                    containers: vec![container],
                    volumes: Some(volumes),
                    image_pull_secrets: (!pull_secrets.is_empty()).then(|| {
                        pull_secrets
                            .iter()
                            .map(|n| LocalObjectReference { name: n.clone() })
                            .collect()
                    }),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

/// Name of the container and Service port of the internal listener (`/metrics`,
/// `/status`, the probes); the Ingress and the gateway never use it.
pub const INTERNAL_PORT_NAME: &str = "internal";

/// The conventional annotations by which Prometheus finds a pod's metrics.
fn scrape_annotations(svc: &ServiceSpec) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("prometheus.io/scrape".into(), "true".into()),
        ("prometheus.io/port".into(), svc.internal_port().to_string()),
        ("prometheus.io/path".into(), endpoints::METRICS.into()),
    ])
}

fn plain(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..EnvVar::default()
    }
}

fn from_secret(name: &str, secret: String, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret,
                key: key.into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// The users service's variable naming the first administrator's email
/// (`services/users/src/config.rs`).
pub const BOOTSTRAP_ADMIN_EMAIL: &str = "BOOTSTRAP_ADMIN_EMAIL";
/// Variable holding the database password, referenced as `$(DATABASE_PASSWORD)`.
pub const DATABASE_PASSWORD: &str = "DATABASE_PASSWORD";
/// Variable holding the broker password, referenced as `$(AMQP_PASSWORD)`.
pub const AMQP_PASSWORD: &str = "AMQP_PASSWORD";

/// The environment of a service container, per the contract. Secret values
/// are referenced, never copied: URLs use dependent variable expansion.
pub fn environment(ps: &PetStore, svc: &ServiceSpec, cfg: &ServiceConfig) -> Vec<EnvVar> {
    let mut env = vec![
        plain(env::LISTEN_ADDR, format!("0.0.0.0:{}", svc.port)),
        plain(
            env::INTERNAL_LISTEN_ADDR,
            format!("0.0.0.0:{}", svc.internal_port()),
        ),
    ];
    if svc.has_database {
        env.push(from_secret(
            DATABASE_PASSWORD,
            secrets::database(ps, svc.name),
            secrets::PASSWORD,
        ));
        env.push(plain(
            env::DATABASE_URL,
            format!(
                "postgres://{user}:$({DATABASE_PASSWORD})@{host}:5432/{db}",
                user = svc.database(),
                host = super::postgres::host(ps, svc),
                db = svc.database()
            ),
        ));
        let pool = super::connections::budget(&ps.spec)
            .ok()
            .and_then(|b| b.pools.get(svc.name).copied())
            .unwrap_or(super::connections::DEFAULT_POOL);
        env.push(plain(env::DATABASE_MAX_CONNECTIONS, pool.to_string()));
    }
    if svc.uses_broker {
        env.push(from_secret(
            AMQP_PASSWORD,
            secrets::broker(ps),
            secrets::PASSWORD,
        ));
        env.push(plain(
            env::AMQP_URL,
            format!(
                "amqp://{user}:$({AMQP_PASSWORD})@{host}:5672/%2f",
                user = secrets::BROKER_USER,
                host = super::rabbitmq::amqp_host(ps)
            ),
        ));
    }
    env.push(from_secret(
        env::JWT_PUBLIC_KEY,
        secrets::jwt(ps),
        secrets::PUBLIC_KEY,
    ));
    if svc.signs_tokens {
        env.push(from_secret(
            env::JWT_PRIVATE_KEY,
            secrets::jwt(ps),
            secrets::PRIVATE_KEY,
        ));
    }
    // The gateway reaches every enabled backend; a backend the services it calls.
    let upstreams: Vec<&ServiceSpec> = if svc.routes.is_empty() {
        petstore_contract::backends().collect()
    } else {
        svc.calls
            .iter()
            .filter_map(|name| petstore_contract::service(name))
            .collect()
    };
    for upstream in upstreams
        .into_iter()
        .filter(|u| ps.spec.service(u.name).enabled)
    {
        env.push(plain(
            &env::upstream_url(upstream.name),
            format!(
                "http://{}:{}",
                service_name(ps, upstream.name),
                upstream.port
            ),
        ));
    }
    if svc.name == petstore_contract::CONSOLE.name {
        env.push(from_secret(
            env::CONSOLE_SESSION_KEY,
            secrets::console_session(ps),
            secrets::PASSWORD,
        ));
        // Behind a TLS Ingress every visit is https: the session cookie is always Secure.
        if ps.spec.ingress.enabled && ps.spec.ingress.tls_secret_name.is_some() {
            env.push(plain(env::CONSOLE_SECURE_COOKIES, "true"));
        }
    }
    if svc.name == petstore_contract::USERS.name
        && let Some(email) = &ps.spec.bootstrap_admin_email
    {
        env.push(plain(BOOTSTRAP_ADMIN_EMAIL, email.clone()));
    }
    env.push(plain(env::LOG_FORMAT, "json"));
    for (name, value) in &cfg.env {
        match env.iter_mut().find(|e| &e.name == name) {
            Some(existing) => *existing = plain(name, value.clone()),
            None => env.push(plain(name, value.clone())),
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use petstore_contract::{CATALOG, GATEWAY, USERS};

    fn var<'a>(env: &'a [EnvVar], name: &str) -> Option<&'a EnvVar> {
        env.iter().find(|e| e.name == name)
    }

    #[test]
    fn users_gets_database_broker_and_both_keys() {
        let ps = fixtures::minimal();
        let env = environment(&ps, &USERS, &ServiceConfig::default());
        assert_eq!(
            var(&env, "LISTEN_ADDR").and_then(|e| e.value.as_deref()),
            Some("0.0.0.0:8081")
        );
        assert_eq!(
            var(&env, "DATABASE_URL").and_then(|e| e.value.as_deref()),
            Some(
                "postgres://petstore_users:$(DATABASE_PASSWORD)@shop-postgres-users:5432/petstore_users"
            )
        );
        assert_eq!(
            var(&env, "AMQP_URL").and_then(|e| e.value.as_deref()),
            Some("amqp://petstore:$(AMQP_PASSWORD)@shop-rabbitmq:5672/%2f")
        );
        // The password variable is declared before the URL that expands it.
        let pos = |n| env.iter().position(|e| e.name == n);
        assert!(pos("DATABASE_PASSWORD") < pos("DATABASE_URL"));
        assert!(var(&env, "JWT_PRIVATE_KEY").is_some());
        assert!(var(&env, "JWT_PUBLIC_KEY").is_some());
    }

    #[test]
    fn only_users_gets_the_bootstrap_admin_email() {
        let mut ps = fixtures::minimal();
        assert!(
            var(
                &environment(&ps, &USERS, &ServiceConfig::default()),
                BOOTSTRAP_ADMIN_EMAIL
            )
            .is_none()
        );
        ps.spec.bootstrap_admin_email = Some("owner@example.com".into());
        let env = environment(&ps, &USERS, &ServiceConfig::default());
        assert_eq!(
            var(&env, BOOTSTRAP_ADMIN_EMAIL).and_then(|e| e.value.as_deref()),
            Some("owner@example.com")
        );
        let catalog = environment(&ps, &CATALOG, &ServiceConfig::default());
        assert!(var(&catalog, BOOTSTRAP_ADMIN_EMAIL).is_none());
    }

    #[test]
    fn only_the_signer_gets_the_private_key() {
        let ps = fixtures::minimal();
        let env = environment(&ps, &CATALOG, &ServiceConfig::default());
        assert!(var(&env, "JWT_PRIVATE_KEY").is_none());
        assert!(var(&env, "JWT_PUBLIC_KEY").is_some());
    }

    #[test]
    fn gateway_knows_every_enabled_backend_and_has_no_database() {
        let mut ps = fixtures::minimal();
        ps.spec.services.insert(
            "catalog".into(),
            ServiceConfig {
                enabled: false,
                ..ServiceConfig::default()
            },
        );
        let env = environment(&ps, &GATEWAY, &ServiceConfig::default());
        assert_eq!(
            var(&env, "USERS_URL").and_then(|e| e.value.as_deref()),
            Some("http://shop-users:8081")
        );
        assert!(var(&env, "CATALOG_URL").is_none());
        assert!(var(&env, "DATABASE_URL").is_none());
        assert!(var(&env, "AMQP_URL").is_none());
    }

    #[test]
    fn env_overrides_replace_or_add() {
        let ps = fixtures::minimal();
        let cfg = ServiceConfig {
            env: BTreeMap::from([
                ("LOG_FORMAT".into(), "pretty".into()),
                ("RUST_LOG".into(), "debug".into()),
            ]),
            ..ServiceConfig::default()
        };
        let env = environment(&ps, &USERS, &cfg);
        assert_eq!(env.iter().filter(|e| e.name == "LOG_FORMAT").count(), 1);
        assert_eq!(
            var(&env, "LOG_FORMAT").and_then(|e| e.value.as_deref()),
            Some("pretty")
        );
        assert!(var(&env, "RUST_LOG").is_some());
    }

    #[test]
    fn deployment_runs_the_binary_migrates_first_and_probes() {
        let ps = fixtures::minimal();
        let d = build(&ps, &USERS, &ServiceConfig::default());
        let spec = d.spec.expect("spec");
        assert_eq!(spec.replicas, None, "the autoscaler owns replicas");
        let pod = spec.template.spec.expect("pod");
        let c = &pod.containers[0];
        assert_eq!(
            c.image.as_deref(),
            Some("ghcr.io/petstore-platform/petstore-services:1.0.0")
        );
        assert_eq!(
            c.command,
            Some(vec!["petstore".to_string(), "users".to_string()])
        );
        let init = pod.init_containers.expect("migrate");
        assert_eq!(
            init[0].command,
            Some(vec![
                "petstore".to_string(),
                "migrate".to_string(),
                "users".to_string()
            ])
        );
        let path = |p: &Option<Probe>| {
            p.as_ref()
                .and_then(|p| p.http_get.as_ref())
                .and_then(|h| h.path.clone())
        };
        assert_eq!(path(&c.liveness_probe).as_deref(), Some("/health"));
        assert_eq!(path(&c.readiness_probe).as_deref(), Some("/ready"));
    }

    #[test]
    fn a_restore_makes_the_service_wait_for_it_before_migrating() {
        let mut ps = fixtures::minimal();
        ps.spec.restore = Some(crate::crd::RestoreSpec {
            service: "users".into(),
            backup: "petstore_users_backup_20260101_030000.dump".into(),
            force: false,
        });
        let pod = build(&ps, &USERS, &ServiceConfig::default())
            .spec
            .and_then(|s| s.template.spec)
            .expect("pod");
        let init = pod.init_containers.expect("init");
        assert_eq!(init[0].name, "wait-for-restore");
        assert_eq!(
            init[0].args,
            Some(vec![
                "wait-restored".to_string(),
                "petstore_users_backup_20260101_030000.dump".to_string()
            ])
        );
        assert_eq!(init[1].name, "migrate");
        // Other services are untouched.
        let other = build(&ps, &CATALOG, &ServiceConfig::default());
        let other = other.spec.and_then(|s| s.template.spec).expect("pod");
        assert_eq!(other.init_containers.expect("init").len(), 1);
    }

    #[test]
    fn gateway_has_no_migrate_and_fixed_replicas_without_autoscaling() {
        let ps = fixtures::minimal();
        let mut cfg = ServiceConfig::default();
        cfg.autoscaling.enabled = false;
        cfg.replicas = 3;
        let d = build(&ps, &GATEWAY, &cfg);
        let spec = d.spec.expect("spec");
        assert_eq!(spec.replicas, Some(3));
        assert!(spec.template.spec.expect("pod").init_containers.is_none());
    }

    #[test]
    fn the_console_gets_its_session_key_every_backend_and_the_gateway() {
        let ps = fixtures::minimal();
        let env = environment(&ps, &petstore_contract::CONSOLE, &ServiceConfig::default());
        let key = var(&env, "CONSOLE_SESSION_KEY")
            .and_then(|e| e.value_from.as_ref())
            .and_then(|v| v.secret_key_ref.as_ref())
            .expect("the session key comes from a Secret");
        assert_eq!(
            (key.name.as_str(), key.key.as_str()),
            ("shop-console-session", "password")
        );
        for (name, url) in [
            ("GATEWAY_URL", "http://shop-gateway:8080"),
            ("CATALOG_URL", "http://shop-catalog:8082"),
            ("REVIEWS_URL", "http://shop-reviews:8087"),
        ] {
            assert_eq!(
                var(&env, name).and_then(|e| e.value.as_deref()),
                Some(url),
                "{name}"
            );
        }
        assert!(var(&env, "DATABASE_URL").is_none() && var(&env, "AMQP_URL").is_none());
        assert!(var(&env, "JWT_PRIVATE_KEY").is_none());
        // Without a TLS Ingress the console decides per request (X-Forwarded-Proto).
        assert!(var(&env, "CONSOLE_SECURE_COOKIES").is_none());
        let gateway = environment(&ps, &GATEWAY, &ServiceConfig::default());
        assert_eq!(
            var(&gateway, "CONSOLE_URL").and_then(|e| e.value.as_deref()),
            Some("http://shop-console:8088")
        );
    }

    #[test]
    fn behind_a_tls_ingress_the_console_cookie_is_always_secure() {
        let ps = fixtures::full();
        let env = environment(&ps, &petstore_contract::CONSOLE, &ServiceConfig::default());
        assert_eq!(
            var(&env, "CONSOLE_SECURE_COOKIES").and_then(|e| e.value.as_deref()),
            Some("true")
        );
    }
}
