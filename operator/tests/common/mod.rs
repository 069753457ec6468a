//! A kube-fake-client API server with OpenAPI validation on, made faithful
//! to a real API server where the operator depends on it (see
//! [`faithful`]), and a log of every write the operator makes.
#![allow(dead_code)]

pub mod faithful;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, DynamicObject, ListParams, PostParams};
use kube::{Client, CustomResourceExt};
use kube_fake_client::validator::{RuntimeOpenAPIValidator, SchemaValidator};
use kube_fake_client::{ClientBuilder, PatchType, interceptor};
use petstore_operator::PetStore;
use petstore_operator::controller::Context;
use petstore_operator::metrics::Metrics;
use petstore_operator::reconcile::observe::{self, Caches};
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// Kinds validated against their OpenAPI schema, as kube-fake-client names them.
pub const VALIDATED: &[&str] = &[
    "apps/v1/Deployment",
    "apps/v1/StatefulSet",
    "/v1/Service",
    "/v1/Secret",
    "/v1/ConfigMap",
    "/v1/PersistentVolumeClaim",
    "autoscaling/v2/HorizontalPodAutoscaler",
    "policy/v1/PodDisruptionBudget",
    "networking.k8s.io/v1/NetworkPolicy",
    "networking.k8s.io/v1/Ingress",
    "batch/v1/CronJob",
    "batch/v1/Job",
    "petstore.dev/v1alpha1/PetStore",
];

fn add<T: JsonSchema>(generator: &mut schemars::SchemaGenerator) {
    generator.subschema_for::<T>();
}

/// An OpenAPI v2 document with the definitions of every kind the operator
/// writes, generated from k8s-openapi (itself generated from the Kubernetes
/// 1.32 OpenAPI document) and the PetStore CRD's own schema.
pub fn openapi_file() -> PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let mut settings = SchemaSettings::draft07();
        settings.definitions_path = "/definitions".into();
        let mut generator = settings.into_generator();
        add::<Deployment>(&mut generator);
        add::<StatefulSet>(&mut generator);
        add::<Service>(&mut generator);
        add::<Secret>(&mut generator);
        add::<ConfigMap>(&mut generator);
        add::<PersistentVolumeClaim>(&mut generator);
        add::<HorizontalPodAutoscaler>(&mut generator);
        add::<PodDisruptionBudget>(&mut generator);
        add::<NetworkPolicy>(&mut generator);
        add::<Ingress>(&mut generator);
        add::<CronJob>(&mut generator);
        add::<Job>(&mut generator);
        let mut defs: Map<String, Value> = generator.take_definitions(true);
        // kube-fake-client 0.3 looks dotted groups up without the `io.k8s.api`
        // prefix; point those names at the real definitions.
        for kind in ["NetworkPolicy", "Ingress"] {
            defs.insert(
                format!("io.k8s.networking.v1.{kind}"),
                json!({"$ref": format!("#/definitions/io.k8s.api.networking.v1.{kind}")}),
            );
        }
        let crd = serde_json::to_value(PetStore::crd()).expect("crd");
        let schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
        defs.insert("dev.petstore.v1alpha1.PetStore".into(), schema);
        let path =
            std::env::temp_dir().join(format!("petstore-openapi-{}.json", std::process::id()));
        std::fs::write(
            &path,
            serde_json::to_vec(&json!({"swagger": "2.0", "definitions": defs})).expect("json"),
        )
        .expect("write openapi");
        path
    })
    .clone()
}

/// Every write (create, patch, replace, delete, status) the API saw, as `verb kind/name`.
#[derive(Clone, Default)]
pub struct Writes(
    Arc<Mutex<Vec<String>>>,
    Arc<std::sync::atomic::AtomicUsize>,
    Arc<Mutex<Vec<String>>>,
);

impl Writes {
    /// Makes every server-side apply of `Kind/name` fail with a 422.
    pub fn refuse_apply(&self, id: &str) {
        self.2.lock().expect("lock").push(id.to_string());
    }
    fn refused(&self, id: &str) -> bool {
        self.2.lock().expect("lock").iter().any(|r| r == id)
    }
    /// Reads (get and list) so far.
    pub fn reads(&self) -> usize {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }
    fn read(&self) {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn push(&self, s: String) {
        self.0.lock().expect("lock").push(s);
    }
    /// The writes so far.
    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("lock").clone()
    }
    /// Forgets the writes so far.
    pub fn clear(&self) {
        self.0.lock().expect("lock").clear();
        self.1.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

fn check(validator: &RuntimeOpenAPIValidator, object: &Value) -> kube_fake_client::Result<()> {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    validator.validate(group, version, &kind_of(object), object)
}

fn kind_of(v: &Value) -> String {
    v.get("kind")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

fn name_of(v: &Value) -> String {
    v.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

/// A validating fake API server holding `objects`.
///
/// kube-fake-client 0.3 validates only in its own `FakeClient` methods, not on
/// the HTTP path `kube::Api` takes, so the same validator also runs here on
/// every create and every server-side apply (whose body is the whole object).
pub async fn server(objects: Vec<Value>) -> (Client, Writes) {
    let writes = Writes::default();
    let validator = Arc::new(RuntimeOpenAPIValidator::from_file(openapi_file()).expect("openapi"));
    for gvk in VALIDATED {
        validator.enable_validation_for(gvk).expect("gvk");
    }
    let v1 = validator.clone();
    let v2 = validator;
    // The configuration each field manager last applied, per object: what
    // server-side apply merges against (see `faithful::apply`).
    let last_applied: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
    let status_applied: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
    let (r1, r2) = (writes.clone(), writes.clone());
    let (w1, w2, w3, w4, w5, w6) = (
        writes.clone(),
        writes.clone(),
        writes.clone(),
        writes.clone(),
        writes.clone(),
        writes.clone(),
    );
    let funcs = interceptor::Funcs::new()
        .get(move |_| {
            r1.read();
            Ok(None)
        })
        .list(move |_| {
            r2.read();
            Ok(None)
        })
        .create(move |ctx| {
            check(&v1, ctx.object)?;
            w1.push(format!(
                "create {}/{}",
                kind_of(ctx.object),
                name_of(ctx.object)
            ));
            Ok(None)
        })
        .patch(move |ctx| {
            if ctx.patch_type != PatchType::ApplyPatch {
                w2.push(format!("patch {}/{}", kind_of(ctx.patch), ctx.name));
                return Ok(None);
            }
            check(&v2, ctx.patch)?;
            let kind = kind_of(ctx.patch);
            w2.push(format!("patch {kind}/{}", ctx.name));
            if w2.refused(&format!("{kind}/{}", ctx.name)) {
                return Err(kube_fake_client::Error::ValidationFailed {
                    kind,
                    errors: vec!["refused by the test".into()],
                });
            }
            let manager = ctx.params.field_manager.clone().unwrap_or_default();
            let key = format!("{kind}/{}/{}/{manager}", ctx.namespace, ctx.name);
            let previous = last_applied.lock().expect("lock").get(&key).cloned();
            // Mimics: server-side apply merging list-map entries by key
            // across managers, and removing what a manager stopped applying.
            macro_rules! ssa {
                ($k:ty) => {{
                    match ctx.client.get::<$k>(ctx.namespace, ctx.name) {
                        // Absent: the fake creates it from the applied body.
                        Err(_) => Ok(None),
                        Ok(live) => {
                            let live = serde_json::to_value(&live)?;
                            let merged =
                                faithful::apply(Some(&live), previous.as_ref(), ctx.patch, "");
                            if let Some(problem) = faithful::invalid(&merged) {
                                return Err(kube_fake_client::Error::ValidationFailed {
                                    kind: kind.clone(),
                                    errors: vec![problem],
                                });
                            }
                            let typed: $k = serde_json::from_value(merged)?;
                            let stored =
                                ctx.client
                                    .update(ctx.namespace, &typed, &PostParams::default())?;
                            Ok(Some(serde_json::to_value(stored)?))
                        }
                    }
                }};
            }
            let result = match kind.as_str() {
                "Deployment" => ssa!(Deployment),
                "StatefulSet" => ssa!(StatefulSet),
                "Service" => ssa!(Service),
                "ConfigMap" => ssa!(ConfigMap),
                "PersistentVolumeClaim" => ssa!(PersistentVolumeClaim),
                "HorizontalPodAutoscaler" => ssa!(HorizontalPodAutoscaler),
                "PodDisruptionBudget" => ssa!(PodDisruptionBudget),
                "NetworkPolicy" => ssa!(NetworkPolicy),
                "Ingress" => ssa!(Ingress),
                "CronJob" => ssa!(CronJob),
                _ => Ok(None),
            };
            if result.is_ok() {
                last_applied
                    .lock()
                    .expect("lock")
                    .insert(key, ctx.patch.clone());
            }
            result
        })
        .update(move |ctx| {
            w3.push(format!(
                "update {}/{}",
                kind_of(ctx.object),
                name_of(ctx.object)
            ));
            Ok(None)
        })
        .replace(move |ctx| {
            w4.push(format!("replace {}/{}", kind_of(ctx.object), ctx.name));
            Ok(None)
        })
        .delete(move |ctx| {
            w5.push(format!("delete {}", ctx.name));
            // Mimics: the StatefulSet controller re-creating a deleted claim
            // (`data-<statefulset>-<ordinal>`) at once while its StatefulSet
            // exists; the claim never goes.
            if let Some(sts) = ctx
                .name
                .strip_prefix("data-")
                .and_then(|rest| rest.rsplit_once('-'))
                .filter(|(_, ordinal)| ordinal.bytes().all(|b| b.is_ascii_digit()))
                .map(|(sts, _)| sts)
                && ctx.client.get::<StatefulSet>(ctx.namespace, sts).is_ok()
                && let Ok(claim) = ctx
                    .client
                    .get::<PersistentVolumeClaim>(ctx.namespace, ctx.name)
            {
                return Ok(Some(serde_json::to_value(claim)?));
            }
            Ok(None)
        })
        .patch_status(move |ctx| {
            w6.push(format!("status {}", ctx.name));
            if ctx.patch_type != PatchType::ApplyPatch || kind_of(ctx.patch) != "PetStore" {
                return Ok(None);
            }
            // Mimics: server-side apply of the status removing the keys the
            // manager stopped applying (the fake merges and keeps them).
            let manager = ctx.params.field_manager.clone().unwrap_or_default();
            let key = format!("PetStore/{}/{}/status/{manager}", ctx.namespace, ctx.name);
            let previous = status_applied.lock().expect("lock").get(&key).cloned();
            let live = serde_json::to_value(ctx.client.get::<PetStore>(ctx.namespace, ctx.name)?)?;
            let config = json!({"status": ctx.patch.get("status").cloned().unwrap_or_default()});
            let previous =
                previous.map(|p| json!({"status": p.get("status").cloned().unwrap_or_default()}));
            let merged = faithful::apply(Some(&live), previous.as_ref(), &config, "");
            let typed: PetStore = serde_json::from_value(merged)?;
            let stored = ctx
                .client
                .update_status(ctx.namespace, &typed, &PostParams::default())?;
            status_applied
                .lock()
                .expect("lock")
                .insert(key, ctx.patch.clone());
            Ok(Some(serde_json::to_value(stored)?))
        });
    let mut builder = ClientBuilder::new()
        .with_resource::<PetStore>()
        .with_status_subresource::<PetStore>()
        .with_status_subresource::<Deployment>()
        .with_status_subresource::<StatefulSet>()
        .with_status_subresource::<HorizontalPodAutoscaler>()
        .with_status_subresource::<CronJob>()
        .with_status_subresource::<Job>()
        .with_interceptor_funcs(funcs)
        .with_runtime_objects(objects)
        .with_schema_validation_file(openapi_file())
        .expect("openapi");
    for gvk in VALIDATED {
        builder = builder.with_validation_for(gvk).expect("gvk");
    }
    let client = builder.build().await.expect("client");
    (without_list_type_meta(client), writes)
}

/// Mimics: LIST answers whose items carry no `apiVersion`/`kind`, as a
/// real API server sends them (the fake copies TypeMeta into every item).
fn without_list_type_meta(inner: Client) -> Client {
    let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
        let inner = inner.clone();
        async move {
            let list = req.method() == http::Method::GET
                && !req.uri().query().unwrap_or_default().contains("watch=");
            let response = inner.send(req).await?;
            if !list {
                return Ok::<_, kube::Error>(response);
            }
            let (mut parts, body) = response.into_parts();
            let bytes = body.collect_bytes().await?;
            let bytes = match serde_json::from_slice::<Value>(&bytes) {
                Ok(mut v) => {
                    if faithful::strip_list_type_meta(&mut v) {
                        parts.headers.remove(http::header::CONTENT_LENGTH);
                        serde_json::to_vec(&v).expect("json")
                    } else {
                        bytes.to_vec()
                    }
                }
                Err(_) => bytes.to_vec(),
            };
            Ok(http::Response::from_parts(
                parts,
                kube::client::Body::from(bytes),
            ))
        }
    });
    Client::new(service, "default")
}

/// A reconcile context for `client`.
pub fn context(client: Client) -> Arc<Context> {
    Arc::new(Context::new(client, Arc::new(Metrics::default()), None))
}

/// A reconcile context reading the children from watch caches filled with
/// what namespace `ns` holds now (as a watch's initial list delivers it:
/// items without TypeMeta).
pub async fn cached_context(client: Client, ns: &str) -> Arc<Context> {
    let mut objects = Vec::new();
    for ar in observe::kinds() {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
        for o in api.list(&ListParams::default()).await.expect("list").items {
            objects.push((ar.clone(), o));
        }
    }
    let caches = Arc::new(Caches::filled(&objects));
    Arc::new(Context::new(client, Arc::new(Metrics::default()), None).with_caches(caches))
}

/// A PetStore fixture as a stored object with a uid and generation.
pub fn stored(ps: &PetStore) -> Value {
    let mut v = serde_json::to_value(ps).expect("json");
    v["metadata"]["uid"] = json!("0b3c6a2e-0000-4000-8000-000000000001");
    v["metadata"]["generation"] = json!(1);
    v
}
