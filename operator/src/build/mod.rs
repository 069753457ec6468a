//! Pure builders: a [`PetStore`] in, the objects the operator wants out. No
//! client, no I/O; `render` prints exactly what [`build`] returns and the
//! reconciler applies it.
//!
//! One module per kind of child. [`backup`] adds the backup script, volumes
//! and CronJobs; [`backup_job`] the Jobs created once (on-demand backups and
//! restores), which the reconciler creates outside the apply/prune loop.

pub mod backup;
pub mod backup_job;
mod children;
pub mod connections;
pub mod credentials;
pub mod deployment;
pub mod hpa;
pub mod ingress;
pub mod load_generator;
pub mod network_policy;
pub mod pdb;
pub mod postgres;
pub mod rabbitmq;
pub mod secrets;
pub mod security;
pub mod service;

pub use children::build;

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::ApiResource;
use kube::{Resource, ResourceExt};
use serde::Serialize;

use crate::crd::PetStore;

/// The field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "petstore-operator";
/// `app.kubernetes.io/managed-by` value of every child.
pub const MANAGED_BY: &str = "petstore-operator";
/// Label keys.
pub mod labels {
    /// What the pod runs, e.g. `users` or `postgres`.
    pub const NAME: &str = "app.kubernetes.io/name";
    /// The PetStore the object belongs to.
    pub const INSTANCE: &str = "app.kubernetes.io/instance";
    /// The role: `service`, `database`, `broker`, `secret`, `network`, `backup`.
    pub const COMPONENT: &str = "app.kubernetes.io/component";
    /// Always `petstore`.
    pub const PART_OF: &str = "app.kubernetes.io/part-of";
    /// Always `petstore-operator`.
    pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
}

/// One object the operator wants to exist.
#[derive(Clone, Debug, PartialEq)]
pub struct Child {
    /// Group, version, kind and plural of the object.
    pub resource: ApiResource,
    /// `metadata.name`.
    pub name: String,
    /// The full object, as it is applied.
    pub object: serde_json::Value,
}

impl Child {
    /// Wraps a typed object.
    pub fn new<K>(object: &K) -> Self
    where
        K: Resource<DynamicType = ()> + Serialize,
    {
        Self {
            resource: ApiResource::erase::<K>(&()),
            name: object.meta().name.clone().unwrap_or_default(),
            object: serde_json::to_value(object).unwrap_or_default(),
        }
    }

    /// `Kind/name`, for messages.
    pub fn id(&self) -> String {
        format!("{}/{}", self.resource.kind, self.name)
    }
}

/// Every kind the operator applies and garbage-collects (Secrets are created
/// once instead, see [`secrets`]). Only children owned by the PetStore are
/// garbage-collected, so the backup volumes (which carry no owner reference)
/// are applied but never deleted by the reconciler.
pub fn managed_kinds() -> Vec<ApiResource> {
    vec![
        ApiResource::erase::<ConfigMap>(&()),
        ApiResource::erase::<PersistentVolumeClaim>(&()),
        ApiResource::erase::<StatefulSet>(&()),
        ApiResource::erase::<Service>(&()),
        ApiResource::erase::<Deployment>(&()),
        ApiResource::erase::<HorizontalPodAutoscaler>(&()),
        ApiResource::erase::<PodDisruptionBudget>(&()),
        ApiResource::erase::<NetworkPolicy>(&()),
        ApiResource::erase::<Ingress>(&()),
        ApiResource::erase::<CronJob>(&()),
    ]
}

/// Kinds the reconciler only observes (for the status) and never
/// garbage-collects: backup Jobs, made by the CronJobs or created once (see
/// [`backup_job`]).
pub fn observed_kinds() -> Vec<ApiResource> {
    vec![ApiResource::erase::<Job>(&())]
}

/// Instance name (the PetStore's name).
pub fn instance(ps: &PetStore) -> String {
    ps.name_any()
}

/// Namespace of the PetStore (`default` when rendering a file without one).
pub fn namespace(ps: &PetStore) -> String {
    ps.namespace().unwrap_or_else(|| "default".into())
}

/// Name of a per-service child: `<instance>-<service>`.
pub fn service_name(ps: &PetStore, service: &str) -> String {
    format!("{}-{service}", instance(ps))
}

/// The standard labels.
pub fn labels(ps: &PetStore, name: &str, component: &str) -> BTreeMap<String, String> {
    let mut l = selector(ps, name);
    l.insert(labels::COMPONENT.into(), component.into());
    l.insert(labels::PART_OF.into(), "petstore".into());
    l.insert(labels::MANAGED_BY.into(), MANAGED_BY.into());
    l
}

/// The labels that select a workload's pods.
pub fn selector(ps: &PetStore, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (labels::NAME.into(), name.into()),
        (labels::INSTANCE.into(), instance(ps)),
    ])
}

/// Label selector matching every child of a PetStore.
pub fn instance_selector(ps: &PetStore) -> String {
    format!(
        "{}={},{}={}",
        labels::INSTANCE,
        instance(ps),
        labels::MANAGED_BY,
        MANAGED_BY
    )
}

/// Metadata of a child: name, namespace, standard labels and (when the
/// PetStore exists in a cluster) a controller owner reference.
pub fn meta(ps: &PetStore, name: impl Into<String>, app: &str, component: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some(namespace(ps)),
        labels: Some(labels(ps, app, component)),
        owner_references: ps.controller_owner_ref(&()).map(|o| vec![o]),
        ..ObjectMeta::default()
    }
}

/// Full image reference of the services.
pub fn service_image(ps: &PetStore) -> String {
    format!(
        "{}/{}:{}",
        ps.spec.image.registry.trim_end_matches('/'),
        petstore_contract::SERVICES_IMAGE,
        ps.spec.version
    )
}
