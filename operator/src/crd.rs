//! The `PetStore` custom resource (`petstore.dev/v1alpha1`): the whole store
//! declared as one object.
//!
//! Every field's doc comment is what `kubectl explain petstore.spec...` shows.
//! Defaults live here, in code; the schema carries bounds and CEL rules, and
//! [`PetStoreSpec::validate`] checks the same rules (plus what a schema cannot
//! know, such as the names of the services) before anything is built.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, CustomResourceExt, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod load_generator;
pub use load_generator::{LoadGeneratorSpec, LoadWeights};

/// API group of the resource.
pub const GROUP: &str = "petstore.dev";

/// The whole pet store, declared as one resource.
// Several `printcolumn(type_ = "string")` read as duplicates to clippy.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, KubeSchema, Deserialize, Serialize, Clone, Debug, PartialEq, Default)]
#[kube(
    group = "petstore.dev",
    version = "v1alpha1",
    kind = "PetStore",
    plural = "petstores",
    namespaced,
    status = "PetStoreStatus",
    shortname = "ps",
    derive = "Default",
    doc = "A complete pet store: its services, databases, message broker, secrets and network policies, reconciled by petstore-operator.",
    printcolumn(
        name = "Phase",
        type_ = "string",
        description = "Summary of the store's state",
        json_path = ".status.phase"
    ),
    printcolumn(
        name = "Ready",
        type_ = "string",
        description = "Ready services out of enabled services",
        json_path = ".status.readyServices"
    ),
    printcolumn(
        name = "Version",
        type_ = "string",
        description = "Image tag of the services",
        json_path = ".spec.version"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct PetStoreSpec {
    /// Image tag of every service, e.g. `1.4.0`. Changing it rolls every service.
    #[schemars(length(min = 1, max = 128))]
    pub version: String,

    /// Where the service images come from.
    #[serde(default)]
    pub image: ImageSpec,

    /// Per-service settings, keyed by service name (gateway, users, catalog, inventory,
    /// cart, orders, payments, reviews, console). A service that is not listed runs with
    /// the defaults. `console` is the web console served at `/` through the gateway
    /// (shop pages for customers, `/staff` for administrators); `console: {enabled:
    /// false}` runs the store without it (the gateway then answers pages with 503).
    #[serde(default)]
    pub services: BTreeMap<String, ServiceConfig>,

    /// The PostgreSQL databases of the services.
    #[serde(default)]
    pub postgres: PostgresSpec,

    /// The RabbitMQ broker the services exchange events through.
    #[serde(default)]
    pub rabbitmq: RabbitMqSpec,

    /// Optional Ingress in front of the gateway.
    #[serde(default)]
    pub ingress: IngressSpec,

    /// Stop reconciling (for maintenance) without deleting anything. Deleting
    /// the PetStore still cleans up while paused.
    #[serde(default)]
    pub paused: bool,

    /// What happens to the databases' and the broker's volumes (and their
    /// credentials) when the PetStore is deleted: `Retain` (default) keeps
    /// them, `Delete` removes them.
    #[serde(default)]
    pub data_retention: DataRetention,

    /// Scheduled pg_dump backups of every service database (on by default).
    #[serde(default)]
    pub backup: BackupSpec,

    /// Email address of the store's first administrator. The users service
    /// (`BOOTSTRAP_ADMIN_EMAIL`) gives the `admin` role to the account that
    /// registers with exactly this address, once, while the store has no
    /// administrator; every other registration is a `customer`. There are no
    /// default credentials: register with this address to get the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 3, max = 254), regex(pattern = r"^[^@\s]+@[^@\s]+$"))]
    pub bootstrap_admin_email: Option<String>,

    /// Restores a named backup into a service's database before that service
    /// starts (see docs/backups.md for the safety checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<RestoreSpec>,

    /// An optional load generator (petstore-load) aimed at the store's
    /// gateway, to size the store and watch the autoscalers work. Off by
    /// default.
    #[serde(default)]
    pub load_generator: LoadGeneratorSpec,
}

/// Annotation on a PetStore that runs an on-demand backup of every database
/// now: set it to a new value (any token, e.g. a timestamp) for each backup.
pub const BACKUP_NOW_ANNOTATION: &str = "petstore.dev/backup-now";

/// Scheduled backups: one CronJob per service database, running
/// `petstore-backup.sh backup` (pg_dump custom format, sha256 checksum,
/// retention) in the PostgreSQL image, onto a volume per database.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupSpec {
    /// Whether the backup CronJobs exist. Disabling deletes the CronJobs,
    /// never the backup volumes.
    #[serde(default = "default_true")]
    pub enabled: bool,

    /// Cron schedule of the backups, in the controller manager's time zone
    /// unless `timeZone` is set (default: daily at 03:00).
    #[serde(default = "default_backup_schedule")]
    #[schemars(length(min = 1, max = 128))]
    pub schedule: String,

    /// IANA time zone of `schedule`, e.g. `Europe/Paris`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,

    /// Complete backups kept per database; older ones are deleted after each
    /// successful backup.
    #[serde(default = "default_backup_retention")]
    #[schemars(range(min = 1, max = 1000))]
    pub retention: i32,

    /// Suspends the scheduled backups (on-demand backups still run).
    #[serde(default)]
    pub suspend: bool,

    /// Finished backup Jobs kept for inspection, successful and failed.
    #[serde(default = "default_backup_history")]
    #[schemars(range(min = 0, max = 100))]
    pub successful_jobs_history_limit: i32,

    /// Failed backup Jobs kept for inspection.
    #[serde(default = "default_backup_history")]
    #[schemars(range(min = 0, max = 100))]
    pub failed_jobs_history_limit: i32,

    /// Volume holding the backups of each database (one claim per database,
    /// kept when backups are disabled or the PetStore is deleted with
    /// `dataRetention: Retain`).
    #[serde(default)]
    pub storage: StorageSpec,

    /// CPU and memory of the backup containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
}

impl Default for BackupSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            schedule: default_backup_schedule(),
            time_zone: None,
            retention: default_backup_retention(),
            suspend: false,
            successful_jobs_history_limit: default_backup_history(),
            failed_jobs_history_limit: default_backup_history(),
            storage: StorageSpec::default(),
            resources: None,
        }
    }
}

fn default_backup_schedule() -> String {
    "0 3 * * *".into()
}
fn default_backup_retention() -> i32 {
    7
}
fn default_backup_history() -> i32 {
    3
}

/// A restore of one backup into one service's database, run once by a Job
/// before the service's pods start (they wait for it).
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreSpec {
    /// The service whose database is restored (e.g. `orders`).
    #[schemars(length(min = 1, max = 63))]
    pub service: String,

    /// File name of the backup on that database's backup volume, e.g.
    /// `petstore_orders_backup_20260101_030000.dump` (see `list`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_]+_backup_[0-9]{8}_[0-9]{6}\.dump$"))]
    pub backup: String,

    /// Restore even when the database is not empty, replacing the objects
    /// the backup contains. Without it a non-empty database is refused.
    #[serde(default)]
    pub force: bool,
}

/// Where the service images come from.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageSpec {
    /// Registry and path prefix of the images; the service image is
    /// `<registry>/petstore-services:<version>`.
    #[serde(default = "default_registry")]
    #[schemars(length(min = 1))]
    pub registry: String,

    /// When the kubelet pulls the image.
    #[serde(default)]
    pub pull_policy: PullPolicy,

    /// Names of Secrets (type kubernetes.io/dockerconfigjson) used to pull the images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pull_secrets: Vec<String>,
}

impl Default for ImageSpec {
    fn default() -> Self {
        Self {
            registry: default_registry(),
            pull_policy: PullPolicy::default(),
            pull_secrets: Vec::new(),
        }
    }
}

fn default_registry() -> String {
    "ghcr.io/petstore-platform".into()
}

/// Image pull policy.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum PullPolicy {
    /// Pull on every start.
    Always,
    /// Pull only when the image is not on the node (default).
    #[default]
    IfNotPresent,
    /// Never pull.
    Never,
}

impl PullPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "Always",
            Self::IfNotPresent => "IfNotPresent",
            Self::Never => "Never",
        }
    }
}

/// Settings of one service.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceConfig {
    /// Whether the service runs. Disabling a service deletes its Deployment,
    /// Service, autoscaler and disruption budget (never its data).
    #[serde(default = "default_true")]
    pub enabled: bool,

    /// Number of pods when autoscaling is disabled.
    #[serde(default = "default_replicas")]
    #[schemars(range(min = 0, max = 100))]
    pub replicas: i32,

    /// Horizontal pod autoscaling on CPU.
    #[serde(default)]
    pub autoscaling: AutoscalingSpec,

    /// CPU and memory requests and limits of the service container. Defaults
    /// to 100m CPU and 128Mi memory requested, 256Mi memory limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,

    /// Extra environment variables; an entry here overrides the operator's
    /// value of the same name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            replicas: default_replicas(),
            autoscaling: AutoscalingSpec::default(),
            resources: None,
            env: BTreeMap::new(),
        }
    }
}

fn default_true() -> bool {
    true
}
fn default_replicas() -> i32 {
    2
}

/// Horizontal pod autoscaling of a service (autoscaling/v2, CPU utilisation).
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, KubeSchema)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("self.minReplicas <= self.maxReplicas").message("minReplicas must not exceed maxReplicas"))]
pub struct AutoscalingSpec {
    /// Whether a HorizontalPodAutoscaler scales the service; when false the
    /// service runs `replicas` pods.
    #[serde(default = "default_true")]
    pub enabled: bool,

    /// Fewest pods the autoscaler keeps.
    #[serde(default = "default_min_replicas")]
    #[schemars(range(min = 1, max = 100))]
    pub min_replicas: i32,

    /// Most pods the autoscaler starts.
    #[serde(default = "default_max_replicas")]
    #[schemars(range(min = 1, max = 100))]
    pub max_replicas: i32,

    /// Average CPU utilisation (percent of the requested CPU) the autoscaler aims for.
    #[serde(default = "default_cpu_target")]
    #[serde(rename = "targetCPUUtilizationPercentage")]
    #[schemars(range(min = 1, max = 100))]
    pub target_cpu_utilization_percentage: i32,
}

impl Default for AutoscalingSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            min_replicas: default_min_replicas(),
            max_replicas: default_max_replicas(),
            target_cpu_utilization_percentage: default_cpu_target(),
        }
    }
}

fn default_min_replicas() -> i32 {
    2
}
fn default_max_replicas() -> i32 {
    10
}
fn default_cpu_target() -> i32 {
    75
}

/// How the services' databases are laid out.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum PostgresTopology {
    /// One PostgreSQL StatefulSet per service that has a database (default).
    #[default]
    PerService,
    /// One PostgreSQL StatefulSet holding every service's database.
    Shared,
}

/// The PostgreSQL databases.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostgresSpec {
    /// `PerService` (default): a PostgreSQL instance per service; `Shared`:
    /// one instance with a database per service. Switching deletes the old
    /// StatefulSets but keeps their volumes.
    #[serde(default)]
    pub topology: PostgresTopology,

    /// PostgreSQL image (Debian-based official image; runs as uid 999).
    #[serde(default = "default_postgres_image")]
    #[schemars(length(min = 1))]
    pub image: String,

    /// Volume of each PostgreSQL instance.
    #[serde(default)]
    pub storage: StorageSpec,

    /// CPU and memory of each PostgreSQL container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
}

impl Default for PostgresSpec {
    fn default() -> Self {
        Self {
            topology: PostgresTopology::default(),
            image: default_postgres_image(),
            storage: StorageSpec::default(),
            resources: None,
        }
    }
}

fn default_postgres_image() -> String {
    "postgres:17".into()
}

/// The RabbitMQ broker.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RabbitMqSpec {
    /// RabbitMQ image with the management plugin (runs as uid 999).
    #[serde(default = "default_rabbitmq_image")]
    #[schemars(length(min = 1))]
    pub image: String,

    /// Volume of the broker.
    #[serde(default)]
    pub storage: StorageSpec,

    /// CPU and memory of the broker container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
}

impl Default for RabbitMqSpec {
    fn default() -> Self {
        Self {
            image: default_rabbitmq_image(),
            storage: StorageSpec::default(),
            resources: None,
        }
    }
}

fn default_rabbitmq_image() -> String {
    "rabbitmq:4-management".into()
}

/// A persistent volume.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageSpec {
    /// Requested size, as a Kubernetes quantity (e.g. `1Gi`).
    #[serde(default = "default_storage_size")]
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"))]
    pub size: String,

    /// StorageClass of the volume; the cluster's default class when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
}

impl Default for StorageSpec {
    fn default() -> Self {
        Self {
            size: default_storage_size(),
            storage_class_name: None,
        }
    }
}

fn default_storage_size() -> String {
    "1Gi".into()
}

/// An Ingress in front of the gateway.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Default, KubeSchema)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("!self.enabled || (has(self.host) && self.host != '')").message("host is required when the ingress is enabled"))]
pub struct IngressSpec {
    /// Whether an Ingress routes outside traffic to the gateway.
    #[serde(default)]
    pub enabled: bool,

    /// Host name the Ingress answers for (required when enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,

    /// IngressClass to use; the cluster's default class when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,

    /// Secret holding the TLS certificate for `host`; plain HTTP when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_secret_name: Option<String>,
}

/// What happens to stored data when the PetStore is deleted.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum DataRetention {
    /// Keep the PersistentVolumeClaims and the credential Secrets (default).
    #[default]
    Retain,
    /// Delete the PersistentVolumeClaims and the credential Secrets.
    Delete,
}

/// Observed state of a PetStore.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PetStoreStatus {
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// Summary: Pending, Progressing, Ready or Degraded. Conditions hold the detail.
    #[serde(default)]
    pub phase: Phase,

    /// Ready services out of enabled services, e.g. `3/3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_services: Option<String>,

    /// Ready, DatabasesReady, BrokerReady and ServicesReady, each with a reason and message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,

    /// Ready and desired replicas of each enabled service.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, ServiceStatus>,

    /// In-cluster URL of the gateway (or the Ingress URL when enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_endpoint: Option<String>,

    /// Backups of each service database, keyed by service.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub backups: BTreeMap<String, BackupStatus>,

    /// The last `petstore.dev/backup-now` value whose Jobs were created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_now: Option<String>,

    /// The restore (`<service>/<backup>`) whose Job was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<String>,
}

/// Backups of one database.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    /// The database.
    pub database: String,
    /// When the last backup (scheduled or on demand) completed successfully.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_backup: Option<String>,
    /// When the last scheduled backup started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scheduled_backup: Option<String>,
}

/// Replicas of one service.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceStatus {
    /// Pods that pass their readiness probe.
    pub ready_replicas: i32,
    /// Pods the service should run now.
    pub desired_replicas: i32,
}

/// Summary of a PetStore's state.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum Phase {
    /// Nothing has been created yet.
    #[default]
    Pending,
    /// Children exist but not all of them are ready.
    Progressing,
    /// Every enabled service, database and the broker are ready.
    Ready,
    /// The spec is invalid or the operator cannot converge.
    Degraded,
}

impl Phase {
    /// The name as shown in `kubectl get`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Progressing => "Progressing",
            Self::Ready => "Ready",
            Self::Degraded => "Degraded",
        }
    }
}

impl PetStoreSpec {
    /// Settings of a service, the defaults when it is not listed.
    pub fn service(&self, name: &str) -> ServiceConfig {
        self.services.get(name).cloned().unwrap_or_default()
    }

    /// The contract's services that are enabled, gateway first.
    pub fn enabled_services(
        &self,
    ) -> impl Iterator<Item = &'static petstore_contract::ServiceSpec> + '_ {
        petstore_contract::SERVICES
            .iter()
            .filter(|s| self.service(s.name).enabled)
    }
}

/// Is `name` a backup file name, `<database>_backup_YYYYMMDD_HHMMSS.dump`?
pub fn valid_backup_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".dump") else {
        return false;
    };
    let Some((db, stamp)) = stem.rsplit_once("_backup_") else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    !db.is_empty()
        && db.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && stamp
            .split_once('_')
            .is_some_and(|(d, t)| digits(d, 8) && digits(t, 6))
}

/// The CustomResourceDefinition as YAML, as `petstore-operator crd` prints it.
pub fn crd_yaml() -> String {
    let yaml = serde_yaml::to_string(&PetStore::crd()).unwrap_or_default();
    format!("# Generated by `petstore-operator crd`; do not edit.\n{yaml}")
}
