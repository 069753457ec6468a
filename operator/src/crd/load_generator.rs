//! `spec.loadGenerator`: petstore-load run by the operator beside the store.

use k8s_openapi::api::core::v1::ResourceRequirements;
use kube::KubeSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An optional load generator: `petstore-load` (in the services image) as a
/// Deployment of one pod, aimed at the store's gateway Service. Off by default.
/// Its live progress and end tables are in the pod's log
/// (`kubectl logs deploy/<store>-load-generator`); see docs/load.md.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, KubeSchema)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("!self.seed || has(self.adminSecretName)").message("seed needs adminSecretName"))]
pub struct LoadGeneratorSpec {
    /// Whether the load generator runs. Disabling deletes its Deployment.
    #[serde(default)]
    pub enabled: bool,

    /// Simulated users at full strength.
    #[serde(default = "default_users")]
    #[schemars(range(min = 1, max = 10000))]
    pub users: i32,

    /// Users started per second until `users` run.
    #[serde(default = "default_hatch_rate")]
    #[schemars(range(min = 1, max = 1000))]
    pub hatch_rate: i32,

    /// How long a run lasts, e.g. `30m` or `1h30m`. After the run the pod
    /// stays idle (it is not restarted) until the PetStore's load generator
    /// settings change. Unset: the load runs continuously.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(ms|s|m|h))+$"))]
    pub run_time: Option<String>,

    /// Relative shares of the three kinds of simulated people.
    #[serde(default)]
    pub weights: LoadWeights,

    /// Pause of a simulated person between two pages: `MIN..MAX` (e.g.
    /// `500ms..2s`) or one duration.
    #[serde(default = "default_think_time")]
    #[schemars(regex(pattern = r"^[0-9]+(ms|s|m)?(\.\.[0-9]+(ms|s|m)?)?$"))]
    pub think_time: String,

    /// Name of a Secret in the PetStore's namespace with the keys `email` and
    /// `password` of an administrator of the store. The staff scenario
    /// (restocking, shipping) and `seed` log in with it; without it only
    /// visitors and shoppers run. The operator never creates this Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub admin_secret_name: Option<String>,

    /// Before the load starts, create what the scenarios need through the
    /// store's API (load-test categories, products, two stores and their
    /// stock), idempotently. Needs `adminSecretName`. Without it, the store
    /// must have been seeded once (e.g. by `petstore-load --seed`).
    #[serde(default)]
    pub seed: bool,

    /// CPU and memory of the load generator (default: 100m CPU and 128Mi
    /// requested, 512Mi limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
}

impl Default for LoadGeneratorSpec {
    fn default() -> Self {
        Self {
            enabled: false,
            users: default_users(),
            hatch_rate: default_hatch_rate(),
            run_time: None,
            weights: LoadWeights::default(),
            think_time: default_think_time(),
            admin_secret_name: None,
            seed: false,
            resources: None,
        }
    }
}

fn default_users() -> i32 {
    50
}
fn default_hatch_rate() -> i32 {
    5
}
fn default_think_time() -> String {
    "500ms..2s".into()
}

/// Relative shares of the scenarios; a weight of 0 turns a scenario off.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoadWeights {
    /// Visitors: list, filter and search products, read products and reviews.
    #[serde(default = "default_visitor")]
    #[schemars(range(min = 0, max = 1000))]
    pub visitor: i32,

    /// Shoppers: register or log in, fill a cart, check out, follow the order
    /// until it is paid, sometimes cancel it, sometimes review.
    #[serde(default = "default_shopper")]
    #[schemars(range(min = 0, max = 1000))]
    pub shopper: i32,

    /// Staff: restock items below their minimum, ship paid orders, deliver
    /// shipped ones (only with `adminSecretName`).
    #[serde(default = "default_staff")]
    #[schemars(range(min = 0, max = 1000))]
    pub staff: i32,
}

impl Default for LoadWeights {
    fn default() -> Self {
        Self {
            visitor: default_visitor(),
            shopper: default_shopper(),
            staff: default_staff(),
        }
    }
}

fn default_visitor() -> i32 {
    6
}
fn default_shopper() -> i32 {
    3
}
fn default_staff() -> i32 {
    1
}
