//! The load generator's Deployment (`spec.loadGenerator`): one pod running
//! `petstore-load` from the services image against the gateway Service, with
//! the restricted security context and an emptyDir for its reports.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    Container, EnvVar, EnvVarSource, LocalObjectReference, PodSpec, PodTemplateSpec,
    ResourceRequirements, SecretKeySelector,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use petstore_contract::GATEWAY;

use super::{labels, meta, security, selector, service_image, service_name};
use crate::crd::{LoadGeneratorSpec, PetStore};

/// `app.kubernetes.io/name` and `component` of the load generator.
pub const NAME: &str = "load-generator";
/// The binary in the services image.
pub const BINARY: &str = "petstore-load";
/// Where the reports are written (an emptyDir).
pub const REPORT_DIR: &str = "/reports";
/// Keys of the administrator's Secret (`spec.loadGenerator.adminSecretName`).
pub const EMAIL_KEY: &str = "email";
/// See [`EMAIL_KEY`].
pub const PASSWORD_KEY: &str = "password";

/// Requests and limits when the spec gives none.
pub fn default_resources() -> ResourceRequirements {
    security::resources("100m", "128Mi", "512Mi")
}

/// The command line of `petstore-load` for `spec`, aimed at the gateway Service.
pub fn args(ps: &PetStore, spec: &LoadGeneratorSpec) -> Vec<String> {
    let host = format!("http://{}:{}", service_name(ps, GATEWAY.name), GATEWAY.port);
    let mut args = vec![
        format!("--host={host}"),
        format!("--users={}", spec.users),
        format!("--hatch-rate={}", spec.hatch_rate),
        format!("--visitor-weight={}", spec.weights.visitor),
        format!("--shopper-weight={}", spec.weights.shopper),
        format!("--staff-weight={}", spec.weights.staff),
        format!("--think-time={}", spec.think_time),
        format!("--report-dir={REPORT_DIR}"),
    ];
    if let Some(run_time) = &spec.run_time {
        // After the run the pod idles, so the Deployment does not start it again.
        args.push(format!("--run-time={run_time}"));
        args.push("--linger".into());
    }
    if spec.seed {
        args.push("--seed".into());
    }
    args
}

fn from_secret(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: key.into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// The Deployment, when `spec.loadGenerator.enabled`.
pub fn build(ps: &PetStore) -> Option<Deployment> {
    let spec = &ps.spec.load_generator;
    if !spec.enabled {
        return None;
    }
    let env = spec.admin_secret_name.as_deref().map(|secret| {
        vec![
            from_secret("PETSTORE_LOAD_ADMIN_EMAIL", secret, EMAIL_KEY),
            from_secret("PETSTORE_LOAD_ADMIN_PASSWORD", secret, PASSWORD_KEY),
        ]
    });
    let container = Container {
        name: NAME.into(),
        image: Some(service_image(ps)),
        image_pull_policy: Some(ps.spec.image.pull_policy.as_str().to_string()),
        command: Some(vec![BINARY.into()]),
        args: Some(args(ps, spec)),
        env,
        resources: Some(spec.resources.clone().unwrap_or_else(default_resources)),
        security_context: Some(security::container()),
        volume_mounts: Some(vec![
            security::mount("tmp", "/tmp"),
            security::mount("reports", REPORT_DIR),
        ]),
        ..Container::default()
    };
    let mut pod_labels = selector(ps, NAME);
    pod_labels.insert(labels::COMPONENT.into(), NAME.into());
    pod_labels.insert(labels::MANAGED_BY.into(), super::MANAGED_BY.into());
    let pull_secrets = &ps.spec.image.pull_secrets;
    Some(Deployment {
        metadata: meta(ps, service_name(ps, NAME), NAME, NAME),
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            // Never two crowds at once while a new template rolls out.
            strategy: Some(DeploymentStrategy {
                type_: Some("Recreate".into()),
                ..DeploymentStrategy::default()
            }),
            selector: LabelSelector {
                match_labels: Some(selector(ps, NAME)),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    automount_service_account_token: Some(false),
                    security_context: Some(security::pod(security::SERVICE_UID)),
                    containers: vec![container],
                    volumes: Some(vec![
                        security::scratch_volume("tmp"),
                        security::scratch_volume("reports"),
                    ]),
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn with_load(extra: &str) -> PetStore {
        fixtures::parse(&fixtures::MINIMAL_YAML.replace(
            "spec:\n",
            &format!("spec:\n  loadGenerator:\n    enabled: true\n{extra}"),
        ))
    }

    #[test]
    fn off_by_default() {
        assert!(build(&fixtures::minimal()).is_none());
        assert!(build(&fixtures::full()).is_none());
    }

    #[test]
    fn aims_at_the_gateway_service_with_the_defaults() {
        let d = build(&with_load("")).expect("enabled");
        assert_eq!(d.metadata.name.as_deref(), Some("shop-load-generator"));
        let spec = d.spec.expect("spec");
        assert_eq!(spec.replicas, Some(1));
        let pod = spec.template.spec.expect("pod");
        let c = &pod.containers[0];
        assert_eq!(
            c.command.as_deref(),
            Some(&["petstore-load".to_string()][..])
        );
        let args = c.args.clone().expect("args");
        assert!(
            args.contains(&"--host=http://shop-gateway:8080".to_string()),
            "{args:?}"
        );
        assert!(args.contains(&"--users=50".to_string()));
        assert!(args.contains(&"--hatch-rate=5".to_string()));
        // Continuous, no seed, no administrator.
        assert!(
            !args
                .iter()
                .any(|a| a.starts_with("--run-time") || a == "--seed" || a == "--linger")
        );
        assert!(c.env.is_none());
        assert_eq!(
            c.image.as_deref(),
            Some("ghcr.io/petstore-platform/petstore-services:1.0.0")
        );
    }

    #[test]
    fn runs_restricted_with_an_empty_dir_for_reports() {
        let pod = build(&with_load(""))
            .and_then(|d| d.spec)
            .and_then(|s| s.template.spec)
            .expect("pod");
        let sc = pod.containers[0]
            .security_context
            .clone()
            .expect("security context");
        assert_eq!(sc.read_only_root_filesystem, Some(true));
        assert_eq!(sc.run_as_non_root, Some(true));
        assert_eq!(sc.allow_privilege_escalation, Some(false));
        assert_eq!(
            pod.security_context.and_then(|p| p.run_as_non_root),
            Some(true)
        );
        let volumes = pod.volumes.expect("volumes");
        assert!(
            volumes
                .iter()
                .any(|v| v.name == "reports" && v.empty_dir.is_some())
        );
        let mounts = pod.containers[0].volume_mounts.clone().expect("mounts");
        assert!(
            mounts
                .iter()
                .any(|m| m.name == "reports" && m.mount_path == REPORT_DIR)
        );
    }

    #[test]
    fn a_timed_seeded_run_with_the_administrator() {
        let ps = with_load(
            "    users: 500\n    hatchRate: 50\n    runTime: 30m\n    seed: true\n    adminSecretName: shop-load-admin\n    weights: {visitor: 1, shopper: 1, staff: 0}\n",
        );
        let c = build(&ps)
            .and_then(|d| d.spec)
            .and_then(|s| s.template.spec)
            .map(|p| p.containers[0].clone())
            .expect("container");
        let args = c.args.expect("args");
        for want in [
            "--users=500",
            "--hatch-rate=50",
            "--run-time=30m",
            "--linger",
            "--seed",
            "--staff-weight=0",
        ] {
            assert!(args.contains(&want.to_string()), "{want} not in {args:?}");
        }
        let env = c.env.expect("env");
        let secret = |name: &str| {
            env.iter()
                .find(|e| e.name == name)
                .and_then(|e| e.value_from.clone())
                .and_then(|v| v.secret_key_ref)
                .map(|r| (r.name, r.key))
        };
        assert_eq!(
            secret("PETSTORE_LOAD_ADMIN_EMAIL"),
            Some(("shop-load-admin".into(), "email".into()))
        );
        assert_eq!(
            secret("PETSTORE_LOAD_ADMIN_PASSWORD"),
            Some(("shop-load-admin".into(), "password".into()))
        );
    }
}
