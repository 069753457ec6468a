//! `render` and `crd`: snapshots, the committed CRD, OpenAPI validity of every
//! rendered object, and the restricted Pod Security Standard.

mod common;

use kube::api::{Api, DynamicObject, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use petstore_operator::{crd, fixtures, render::render};
use serde_json::Value;

fn objects(yaml: &str) -> Vec<Value> {
    let out = render(yaml).expect("render");
    out.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_yaml::from_str(d).expect("yaml"))
        .collect()
}

#[test]
fn crds_directory_is_in_sync_with_the_code() {
    let committed = include_str!("../../crds/petstore.dev_petstores.yaml");
    assert!(
        committed == crd::crd_yaml(),
        "crds/petstore.dev_petstores.yaml is stale: run `cargo run -p petstore-operator -- crd > crds/petstore.dev_petstores.yaml`"
    );
}

#[test]
fn render_minimal() {
    insta::assert_snapshot!(render(fixtures::MINIMAL_YAML).expect("render"));
}

#[test]
fn render_full() {
    insta::assert_snapshot!(render(fixtures::FULL_YAML).expect("render"));
}

/// The minimal store with a timed, seeded load generator.
const LOAD_SPEC: &str = "spec:
  loadGenerator:
    enabled: true
    users: 500
    hatchRate: 50
    runTime: 30m
    seed: true
    adminSecretName: shop-load-admin
";

#[test]
fn render_load_generator() {
    let all = objects(&fixtures::MINIMAL_YAML.replace("spec:\n", LOAD_SPEC));
    // One object more than the minimal store: the load generator's Deployment.
    assert_eq!(all.len(), objects(fixtures::MINIMAL_YAML).len() + 1);
    let load = all
        .iter()
        .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "shop-load-generator")
        .expect("the load generator's Deployment");
    let violations = restricted_violations(&load["spec"]["template"]["spec"]);
    assert!(violations.is_empty(), "{violations:?}");
    insta::assert_snapshot!(serde_yaml::to_string(load).expect("yaml"));
}

#[test]
fn render_rejects_an_invalid_spec_with_the_reason() {
    let bad = fixtures::MINIMAL_YAML.replace("spec:\n", "spec:\n  ingress: {enabled: true}\n");
    let err = render(&bad).expect_err("invalid");
    assert_eq!(
        err,
        "invalid PetStore spec: spec.ingress.host is required when the ingress is enabled"
    );
    let unknown = fixtures::MINIMAL_YAML.replace("spec:\n", "spec:\n  services: {billing: {}}\n");
    assert!(
        render(&unknown)
            .expect_err("unknown")
            .contains("spec.services.billing: unknown service")
    );
    let seed = fixtures::MINIMAL_YAML.replace(
        "spec:\n",
        "spec:\n  loadGenerator: {enabled: true, seed: true}\n",
    );
    assert_eq!(
        render(&seed).expect_err("seed without admin"),
        "invalid PetStore spec: spec.loadGenerator.seed needs spec.loadGenerator.adminSecretName"
    );
}

#[tokio::test]
async fn every_rendered_object_passes_openapi_validation() {
    let manifests =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../manifests")).expect("manifests");
    let mut checked = 0;
    for entry in manifests {
        let path = entry.expect("entry").path();
        // Only the example PetStores at the top level (other directories
        // under manifests/ belong to other tools).
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        if !text.contains("kind: PetStore") {
            continue;
        }
        let (client, _) = common::server(vec![]).await;
        let ps: Value = serde_yaml::from_str(&text).expect("yaml");
        let ps_api: Api<DynamicObject> = Api::namespaced_with(
            client.clone(),
            "shop",
            &ApiResource::from_gvk(&GroupVersionKind::gvk(
                "petstore.dev",
                "v1alpha1",
                "PetStore",
            )),
        );
        ps_api
            .create(
                &PostParams::default(),
                &serde_json::from_value(ps).expect("ps"),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: PetStore rejected: {e}", path.display()));
        for obj in objects(&text) {
            let api_version = obj["apiVersion"].as_str().expect("apiVersion");
            let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
            let gvk = GroupVersionKind::gvk(group, version, obj["kind"].as_str().expect("kind"));
            let api: Api<DynamicObject> =
                Api::namespaced_with(client.clone(), "shop", &ApiResource::from_gvk(&gvk));
            let dynamic: DynamicObject = serde_json::from_value(obj.clone()).expect("object");
            api.create(&PostParams::default(), &dynamic)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "{}: {} {} rejected: {e}",
                        path.display(),
                        gvk.kind,
                        dynamic.metadata.name.clone().unwrap_or_default()
                    )
                });
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} objects checked");
}

/// The checks of the "restricted" Pod Security Standard (Kubernetes 1.32).
fn restricted_violations(pod: &Value) -> Vec<String> {
    let mut v = Vec::new();
    let psc = &pod["securityContext"];
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod[field] == Value::Bool(true) {
            v.push(format!("{field} is set"));
        }
    }
    for vol in pod["volumes"].as_array().into_iter().flatten() {
        let allowed = [
            "configMap",
            "csi",
            "downwardAPI",
            "emptyDir",
            "ephemeral",
            "persistentVolumeClaim",
            "projected",
            "secret",
        ];
        let kinds: Vec<_> = vol
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .filter(|k| *k != "name")
            .collect();
        if !kinds.iter().all(|k| allowed.contains(k)) {
            v.push(format!("volume {} uses {kinds:?}", vol["name"]));
        }
    }
    let pod_seccomp = psc["seccompProfile"]["type"].as_str();
    let containers = pod["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(pod["initContainers"].as_array().into_iter().flatten());
    for c in containers {
        let name = c["name"].as_str().unwrap_or("?");
        let sc = &c["securityContext"];
        if sc["privileged"] == Value::Bool(true) {
            v.push(format!("{name}: privileged"));
        }
        if sc["allowPrivilegeEscalation"] != Value::Bool(false) {
            v.push(format!("{name}: allowPrivilegeEscalation is not false"));
        }
        let non_root = sc["runAsNonRoot"]
            .as_bool()
            .or(psc["runAsNonRoot"].as_bool());
        if non_root != Some(true) {
            v.push(format!("{name}: runAsNonRoot is not true"));
        }
        if sc["runAsUser"] == 0 || psc["runAsUser"] == 0 {
            v.push(format!("{name}: runs as uid 0"));
        }
        let seccomp = sc["seccompProfile"]["type"].as_str().or(pod_seccomp);
        if !matches!(seccomp, Some("RuntimeDefault" | "Localhost")) {
            v.push(format!(
                "{name}: seccompProfile is not RuntimeDefault or Localhost"
            ));
        }
        let drops: Vec<_> = sc["capabilities"]["drop"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !drops.contains(&"ALL") {
            v.push(format!("{name}: capabilities do not drop ALL"));
        }
        let adds: Vec<_> = sc["capabilities"]["add"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if adds.iter().any(|a| *a != "NET_BIND_SERVICE") {
            v.push(format!("{name}: adds capabilities {adds:?}"));
        }
        if c["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p.get("hostPort").is_some())
        {
            v.push(format!("{name}: uses a hostPort"));
        }
        // Our own rule on top of the standard: a read-only root filesystem.
        if sc["readOnlyRootFilesystem"] != Value::Bool(true) {
            v.push(format!("{name}: root filesystem is writable"));
        }
    }
    v
}

#[test]
fn every_rendered_pod_meets_the_restricted_pod_security_standard() {
    let mut pods = 0;
    for yaml in [fixtures::MINIMAL_YAML, fixtures::FULL_YAML] {
        for obj in objects(yaml) {
            // Workloads, and the Jobs the backup CronJobs create.
            let pod = match &obj["spec"]["jobTemplate"]["spec"]["template"]["spec"] {
                Value::Null => &obj["spec"]["template"]["spec"],
                job => job,
            };
            if pod.is_null() {
                continue;
            }
            pods += 1;
            let violations = restricted_violations(pod);
            assert!(
                violations.is_empty(),
                "{} {}: {violations:?}",
                obj["kind"],
                obj["metadata"]["name"]
            );
        }
    }
    let services = petstore_contract::SERVICES.len();
    let databases = petstore_contract::SERVICES
        .iter()
        .filter(|s| s.has_database)
        .count();
    // minimal: services + a database each + broker; full: services + shared
    // database + broker; both: a backup CronJob per database.
    assert_eq!(
        pods,
        (services + databases + 1) + (services + 2) + 2 * databases
    );
    // The checker itself catches a violation.
    let bad =
        serde_json::json!({"containers": [{"name": "x", "securityContext": {"privileged": true}}]});
    assert!(restricted_violations(&bad).len() >= 4);
}

/// The connection budget of the production example, read back from what
/// `render` prints: every pod of every service at maxReplicas plus the
/// rolling update's surge, with its pool and its LISTEN connection, fits in
/// the shared PostgreSQL's max_connections minus the reserved slots.
#[test]
fn the_production_example_fits_in_max_connections() {
    let objects = objects(fixtures::FULL_YAML);
    let by = |kind: &str, name: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .cloned()
    };
    let postgres = by("StatefulSet", "shop-postgres").expect("shared instance");
    let args = postgres["spec"]["template"]["spec"]["containers"][0]["args"].clone();
    let max_connections: i64 = args
        .as_array()
        .expect("args")
        .iter()
        .filter_map(Value::as_str)
        .find_map(|a| a.strip_prefix("max_connections="))
        .expect("max_connections")
        .parse()
        .expect("number");
    let mut demand = 0;
    for svc in petstore_contract::SERVICES
        .iter()
        .filter(|s| s.has_database)
    {
        let name = format!("shop-{}", svc.name);
        let deploy = by("Deployment", &name).expect("deployment");
        let max_pods = match by("HorizontalPodAutoscaler", &name) {
            Some(hpa) => hpa["spec"]["maxReplicas"].as_i64().expect("max"),
            None => deploy["spec"]["replicas"].as_i64().expect("replicas"),
        };
        let surge = (max_pods + 3) / 4;
        let env = deploy["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .expect("env")
            .clone();
        let pool: i64 = env
            .iter()
            .find(|e| e["name"] == "DATABASE_MAX_CONNECTIONS")
            .and_then(|e| e["value"].as_str())
            .expect("DATABASE_MAX_CONNECTIONS")
            .parse()
            .expect("number");
        demand += (max_pods + surge) * (pool + 1);
    }
    // PostgreSQL's superuser_reserved_connections, plus backups and restores.
    let reserved = 3 + 5;
    assert!(
        demand + reserved <= max_connections,
        "{demand} connections + {reserved} reserved > max_connections {max_connections}"
    );
    // Without the budget the same store asked for ~900 of PostgreSQL's 100.
    assert!(
        max_connections > 100 && max_connections <= 500,
        "{max_connections}"
    );
}

/// CPU (millicores) the scheduler must find for `yaml`'s store at its
/// smallest scale: every Deployment at its HPA's minReplicas (or replicas),
/// every StatefulSet, each pod requesting the larger of its containers' sum
/// and its largest init container.
fn requested_cpu(yaml: &str) -> i64 {
    let objects = objects(yaml);
    let milli = |q: &Value| -> i64 {
        let s = q.as_str().unwrap_or("0");
        match s.strip_suffix('m') {
            Some(m) => m.parse().expect("millicores"),
            None => (s.parse::<f64>().expect("cores") * 1000.0) as i64,
        }
    };
    let containers = |list: &Value| -> Vec<i64> {
        list.as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| milli(&c["resources"]["requests"]["cpu"]))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut total = 0;
    for o in &objects {
        let kind = o["kind"].as_str().unwrap_or_default();
        if kind != "Deployment" && kind != "StatefulSet" {
            continue;
        }
        let name = &o["metadata"]["name"];
        let replicas = objects
            .iter()
            .find(|h| h["kind"] == "HorizontalPodAutoscaler" && &h["metadata"]["name"] == name)
            .map(|h| h["spec"]["minReplicas"].as_i64().expect("min"))
            .or_else(|| o["spec"]["replicas"].as_i64())
            .expect("replicas");
        let pod = &o["spec"]["template"]["spec"];
        let main: i64 = containers(&pod["containers"]).iter().sum();
        let init = containers(&pod["initContainers"])
            .into_iter()
            .max()
            .unwrap_or(0);
        total += replicas * main.max(init);
    }
    total
}

/// The PetStore document of a file that may hold other objects (a Namespace).
fn petstore_doc(text: &str) -> String {
    text.split("\n---\n")
        .find(|d| d.contains("kind: PetStore"))
        .expect("a PetStore")
        .to_string()
}

/// The kind sample fits a 2-CPU kind node: kind's control plane, CNI,
/// CoreDNS, ingress-nginx and the operator request about 1.1 CPU of it.
#[test]
fn the_kind_samples_fit_a_two_cpu_node() {
    let sample = include_str!("../../manifests/install/samples/petstore-kind.yaml");
    let kind = requested_cpu(&petstore_doc(sample));
    assert!(kind <= 800, "the kind sample requests {kind}m CPU");

    // The chart's sample: its values' spec as a PetStore.
    let values: serde_yaml::Value =
        serde_yaml::from_str(include_str!("../../charts/petstore-operator/values.yaml"))
            .expect("values");
    let spec = serde_yaml::to_string(&values["samplePetStore"]["spec"]).expect("spec");
    let indented: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    let chart = format!(
        "apiVersion: petstore.dev/v1alpha1\nkind: PetStore\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n{indented}"
    );
    let chart = requested_cpu(&chart);
    assert!(chart <= 800, "the chart's sample requests {chart}m CPU");

    // For the README: what the other examples need.
    println!(
        "CPU requested: kind sample {kind}m, chart sample {chart}m, minimal {}m, production {}m",
        requested_cpu(fixtures::MINIMAL_YAML),
        requested_cpu(fixtures::FULL_YAML)
    );
}
