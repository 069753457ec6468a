//! RabbitMQ: a StatefulSet with a PersistentVolumeClaim, a headless Service
//! for AMQP (also the StatefulSet's governing Service) and a Service for the
//! management UI. The credentials are generated (never guest/guest).

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, EnvVarSource, ExecAction, PodSpec, PodTemplateSpec, Probe,
    SecretKeySelector, Service, ServicePort, ServiceSpec as KSvc,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::postgres::{default_resources, headless_service, volume_claim};
use super::{Child, credentials, instance, labels, meta, secrets, security, selector};
use crate::crd::PetStore;

/// `app.kubernetes.io/component` of the broker.
pub const COMPONENT: &str = "broker";
const APP: &str = "rabbitmq";

/// Name of the StatefulSet and of the AMQP Service.
pub fn name(ps: &PetStore) -> String {
    format!("{}-rabbitmq", instance(ps))
}

/// Host name of the AMQP endpoint.
pub fn amqp_host(ps: &PetStore) -> String {
    name(ps)
}

fn from_secret(var: &str, ps: &PetStore, key: &str) -> EnvVar {
    EnvVar {
        name: var.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secrets::broker(ps),
                key: key.into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// Every RabbitMQ object of the store.
pub fn build(ps: &PetStore) -> Vec<Child> {
    let spec = &ps.spec.rabbitmq;
    let name = name(ps);
    let amqp = headless_service(ps, &name, APP, COMPONENT, &[("amqp", 5672)]);
    let management = Service {
        metadata: meta(ps, format!("{name}-management"), APP, COMPONENT),
        spec: Some(KSvc {
            type_: Some("ClusterIP".into()),
            selector: Some(selector(ps, APP)),
            ports: Some(vec![ServicePort {
                name: Some("management".into()),
                port: 15672,
                target_port: Some(IntOrString::String("management".into())),
                protocol: Some("TCP".into()),
                ..ServicePort::default()
            }]),
            ..KSvc::default()
        }),
        ..Service::default()
    };
    let probe = |args: &[&str], delay: i32| Probe {
        exec: Some(ExecAction {
            command: Some(args.iter().map(|s| (*s).to_string()).collect()),
        }),
        initial_delay_seconds: Some(delay),
        period_seconds: Some(30),
        timeout_seconds: Some(20),
        ..Probe::default()
    };
    let (scripts, scripts_mount) = credentials::volume(ps);
    let mut pod_labels = selector(ps, APP);
    pod_labels.insert(labels::COMPONENT.into(), COMPONENT.into());
    pod_labels.insert(labels::MANAGED_BY.into(), super::MANAGED_BY.into());
    let port = |n: &str, p: i32| ContainerPort {
        name: Some(n.into()),
        container_port: p,
        protocol: Some("TCP".into()),
        ..ContainerPort::default()
    };
    let sts = StatefulSet {
        metadata: meta(ps, &name, APP, COMPONENT),
        spec: Some(StatefulSetSpec {
            replicas: Some(1),
            service_name: Some(name.clone()),
            selector: LabelSelector {
                match_labels: Some(selector(ps, APP)),
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
                        name: APP.into(),
                        image: Some(spec.image.clone()),
                        command: Some(credentials::command(credentials::RABBITMQ_START_FILE)),
                        ports: Some(vec![port("amqp", 5672), port("management", 15672)]),
                        env: Some(vec![
                            from_secret("RABBITMQ_DEFAULT_USER", ps, secrets::USERNAME),
                            from_secret("RABBITMQ_DEFAULT_PASS", ps, secrets::PASSWORD),
                        ]),
                        resources: Some(spec.resources.clone().unwrap_or_else(default_resources)),
                        readiness_probe: Some(probe(
                            &["rabbitmq-diagnostics", "-q", "check_port_connectivity"],
                            20,
                        )),
                        liveness_probe: Some(probe(&["rabbitmq-diagnostics", "-q", "status"], 60)),
                        security_context: Some(security::container()),
                        volume_mounts: Some(vec![
                            security::mount("data", "/var/lib/rabbitmq"),
                            security::mount("conf", "/etc/rabbitmq/conf.d"),
                            security::mount("tmp", "/tmp"),
                            scripts_mount,
                        ]),
                        ..Container::default()
                    }],
                    volumes: Some(vec![
                        security::scratch_volume("conf"),
                        security::scratch_volume("tmp"),
                        scripts,
                    ]),
                    ..PodSpec::default()
                }),
            },
            volume_claim_templates: Some(vec![volume_claim(ps, APP, COMPONENT, &spec.storage)]),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    };
    vec![Child::new(&amqp), Child::new(&management), Child::new(&sts)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn statefulset_with_amqp_and_management_services() {
        let ps = fixtures::minimal();
        let ids: Vec<_> = build(&ps).iter().map(Child::id).collect();
        assert_eq!(
            ids,
            [
                "Service/shop-rabbitmq",
                "Service/shop-rabbitmq-management",
                "StatefulSet/shop-rabbitmq"
            ]
        );
    }

    #[test]
    fn credentials_come_from_the_generated_secret() {
        let ps = fixtures::minimal();
        let sts = &build(&ps)[2].object;
        let env = &sts["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(
            env[0]["valueFrom"]["secretKeyRef"]["name"],
            "shop-rabbitmq-credentials"
        );
        assert!(!sts.to_string().contains("guest"));
    }
}
