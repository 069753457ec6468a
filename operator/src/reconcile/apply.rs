//! Step 3: apply every desired child, all of them, and collect the failures.
//!
//! "Changed" is decided from what the operator itself asked for, never from
//! the shape the API server chose for the live object: each applied object
//! carries the hash of its desired form in [`HASH_ANNOTATION`]. A child is
//! re-applied when that hash differs (the spec changed, including a field
//! that was removed: server-side apply then drops it, because the field
//! manager no longer claims it), or when a field the operator sets was
//! edited by someone else (drift).
//!
//! Forced server-side apply merges keyed lists (container ports, env,
//! Service ports) entry by entry across field managers: an entry another
//! manager re-keyed stays beside ours, and can make the object invalid
//! (`spec.ports[1].name: Duplicate value`). So when a list of the live
//! object is not the desired one, the operator first replaces those lists
//! with a JSON merge patch (which replaces arrays whole) and then applies.

use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tracing::info;

use crate::build::{Child, FIELD_MANAGER};
use crate::status::Observed;

/// Annotation holding the hash of the desired object the operator applied.
pub const HASH_ANNOTATION: &str = "petstore.dev/desired-hash";

/// What was done to a child that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Server-side apply (or the list repair before it).
    Apply,
    /// Creation of a run-once Job.
    Create,
    /// Deletion of a child the spec no longer asks for.
    Delete,
}

impl Verb {
    fn as_str(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Create => "create",
            Self::Delete => "delete",
        }
    }
}

/// One child the API refused.
#[derive(Debug, thiserror::Error)]
#[error("failed to {} {kind} {name}", verb.as_str())]
pub struct ChildError {
    /// What was attempted.
    pub verb: Verb,
    /// Kind of the child.
    pub kind: String,
    /// Name of the child.
    pub name: String,
    /// Cause.
    #[source]
    pub source: kube::Error,
}

impl ChildError {
    /// The failure with the API's own message, for conditions and Events.
    pub fn message(&self) -> String {
        match &self.source {
            kube::Error::Api(s) => format!("{self}: {}", s.message),
            other => format!("{self}: {other}"),
        }
    }
}

/// Every child that failed in one reconcile (the others converged).
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ChildError::message).collect::<Vec<_>>().join("; "))]
pub struct ChildErrors(pub Vec<ChildError>);

/// Hex SHA-256 of the object as the builders produce it.
pub fn hash(object: &Value) -> String {
    // serde_json's maps are sorted by key, so equal objects hash equally.
    let bytes = serde_json::to_vec(object).unwrap_or_default();
    format!("{:x}", Sha256::digest(bytes))
}

/// `object` with its hash in [`HASH_ANNOTATION`].
pub fn with_hash(object: &Value) -> Value {
    let hash = hash(object);
    let mut out = object.clone();
    if let Some(meta) = out.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(a) = annotations.as_object_mut() {
            a.insert(HASH_ANNOTATION.into(), Value::String(hash));
        }
    }
    out
}

/// Is every field of `desired` present and equal in `existing`? Extra
/// fields (server defaults, status) do not count as drift.
pub fn is_subset(desired: &Value, existing: &Value) -> bool {
    match (desired, existing) {
        (Value::Object(d), Value::Object(e)) => d
            .iter()
            .all(|(k, v)| e.get(k).is_some_and(|ev| is_subset(v, ev))),
        (Value::Array(d), Value::Array(e)) => {
            d.len() == e.len() && d.iter().zip(e).all(|(a, b)| is_subset(a, b))
        }
        _ => desired == existing,
    }
}

/// Is the live child what the operator last applied for `desired` (which
/// carries its hash), untouched by anyone else? `apiVersion` and `kind` are
/// left out: list and watch items of a real API server may lack them.
pub fn unchanged(desired: &Value, live: &Value) -> bool {
    let pointer = format!(
        "/metadata/annotations/{}",
        HASH_ANNOTATION.replace('/', "~1")
    );
    if desired.pointer(&pointer) != live.pointer(&pointer) {
        return false;
    }
    match desired {
        Value::Object(d) => d
            .iter()
            .filter(|(k, _)| *k != "apiVersion" && *k != "kind")
            .all(|(k, v)| live.get(k).is_some_and(|lv| is_subset(v, lv))),
        _ => false,
    }
}

/// Fields that identify an entry of a keyed list (the list-map keys of the
/// lists the operator writes: containers, env, volumes and mounts by name or
/// path, ports by number and protocol).
const ENTRY_KEYS: &[&str] = &["name", "port", "containerPort", "protocol", "mountPath"];

/// A JSON merge patch replacing every keyed list of `live` that holds an
/// entry `desired` does not (another manager's, or one the spec dropped),
/// which server-side apply would keep; `None` when apply alone converges.
/// A list nested in a list entry replaces the outer list, as a merge patch
/// cannot address entries.
pub fn list_repair(desired: &Value, live: &Value) -> Option<Value> {
    match (desired, live) {
        (Value::Object(d), Value::Object(l)) => {
            let mut out = Map::new();
            for (k, v) in d {
                if let Some(patch) = l.get(k).and_then(|lv| list_repair(v, lv)) {
                    out.insert(k.clone(), patch);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        (Value::Array(d), Value::Array(l)) => {
            let fields: Vec<&str> = d
                .first()
                .map(|first| {
                    ENTRY_KEYS
                        .iter()
                        .copied()
                        .filter(|k| first.get(*k).is_some())
                        .collect()
                })
                .unwrap_or_default();
            if fields.is_empty() {
                // An atomic list: apply replaces it whole.
                return None;
            }
            let key = |v: &Value| {
                fields
                    .iter()
                    .map(|f| v.get(*f).cloned())
                    .collect::<Vec<_>>()
            };
            let foreign = l.iter().any(|li| {
                let k = key(li);
                d.iter()
                    .find(|di| key(di) == k)
                    .is_none_or(|di| list_repair(di, li).is_some())
            });
            foreign.then(|| desired.clone())
        }
        _ => None,
    }
}

fn failure(verb: Verb, child: &Child, source: kube::Error) -> ChildError {
    ChildError {
        verb,
        kind: child.resource.kind.clone(),
        name: child.name.clone(),
        source,
    }
}

/// Applies every child of `desired` that changed; the live objects the API
/// returned replace the observed ones. Returns the applied `Kind/name`s and
/// the failures.
pub async fn apply_all(
    client: &kube::Client,
    ns: &str,
    desired: &[Child],
    observed: &mut Observed,
) -> (Vec<String>, Vec<ChildError>) {
    let mut applied = Vec::new();
    let mut failures = Vec::new();
    for child in desired {
        let id = (child.resource.kind.clone(), child.name.clone());
        let object = with_hash(&child.object);
        let live = observed.get(&id);
        if live.is_some_and(|l| unchanged(&object, l)) {
            continue;
        }
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &child.resource);
        if let Some(patch) = live.and_then(|l| list_repair(&object, l)) {
            info!(child = %child.id(), "restoring lists another field manager edited");
            let pp = PatchParams {
                field_manager: Some(FIELD_MANAGER.into()),
                ..PatchParams::default()
            };
            if let Err(source) = api.patch(&child.name, &pp, &Patch::Merge(&patch)).await {
                failures.push(failure(Verb::Apply, child, source));
                continue;
            }
        }
        let params = PatchParams::apply(FIELD_MANAGER).force();
        match api
            .patch(&child.name, &params, &Patch::Apply(&object))
            .await
        {
            Ok(obj) => {
                applied.push(child.id());
                observed.insert(id, serde_json::to_value(obj).unwrap_or_default());
            }
            Err(source) => failures.push(failure(Verb::Apply, child, source)),
        }
    }
    (applied, failures)
}

/// Creates the run-once Jobs (on-demand backups, restores) not created yet;
/// one that exists already (a retried reconcile) is kept.
pub async fn create_once(
    client: &kube::Client,
    ns: &str,
    jobs: &[Child],
    observed: &mut Observed,
) -> (Vec<String>, Vec<ChildError>) {
    let mut created = Vec::new();
    let mut failures = Vec::new();
    for child in jobs {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &child.resource);
        let obj: DynamicObject = match serde_json::from_value(child.object.clone()) {
            Ok(o) => o,
            Err(e) => {
                failures.push(failure(Verb::Create, child, kube::Error::SerdeError(e)));
                continue;
            }
        };
        let pp = PostParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..PostParams::default()
        };
        match api.create(&pp, &obj).await {
            Ok(o) => {
                info!(job = %child.name, "created");
                created.push(child.id());
                observed.insert(
                    (child.resource.kind.clone(), child.name.clone()),
                    serde_json::to_value(o).unwrap_or_default(),
                );
            }
            Err(kube::Error::Api(s)) if s.code == 409 => {}
            Err(source) => failures.push(failure(Verb::Create, child, source)),
        }
    }
    (created, failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_ignores_server_defaults_but_not_edits() {
        let desired = json!({"spec": {"replicas": 2, "ports": [{"port": 80}]}});
        let existing = json!({"spec": {"replicas": 2, "ports": [{"port": 80, "protocol": "TCP"}]}, "status": {}});
        assert!(is_subset(&desired, &existing));
        let edited = json!({"spec": {"replicas": 5, "ports": [{"port": 80}]}});
        assert!(!is_subset(&desired, &edited));
    }

    #[test]
    fn unchanged_ignores_type_meta_and_sees_a_removed_field() {
        let desired = with_hash(
            &json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"type": "ClusterIP"}}),
        );
        // A list item of a real API server: no apiVersion, no kind.
        let mut live = desired.clone();
        if let Some(o) = live.as_object_mut() {
            o.remove("apiVersion");
            o.remove("kind");
        }
        assert!(unchanged(&desired, &live));
        // The spec stopped asking for a field: the live object is a superset,
        // but its hash is the old one.
        let smaller = with_hash(
            &json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {}}),
        );
        assert!(!unchanged(&smaller, &live));
    }

    #[test]
    fn list_repair_replaces_only_the_lists_that_differ() {
        let desired = json!({"spec": {"selector": {"a": "b"}, "ports": [{"name": "http", "port": 8082}],
            "template": {"containers": [{"name": "c", "env": [{"name": "A", "value": "1"}]}]}}});
        let live = json!({"spec": {"selector": {"a": "b"}, "ports": [{"name": "http", "port": 9999}, {"name": "http", "port": 8082}],
            "template": {"containers": [{"name": "c", "image": "x", "env": [{"name": "A", "value": "1"}]}]}}});
        assert_eq!(
            list_repair(&desired, &live),
            Some(json!({"spec": {"ports": [{"name": "http", "port": 8082}]}}))
        );
        // A changed value of our own entry is apply's job; a foreign entry is not.
        let env_edited = json!({"spec": {"selector": {"a": "b"}, "ports": [{"name": "http", "port": 8082}],
            "template": {"containers": [{"name": "c", "env": [{"name": "A", "value": "2"}]}]}}});
        assert_eq!(list_repair(&desired, &env_edited), None);
        let env_added = json!({"spec": {"selector": {"a": "b"}, "ports": [{"name": "http", "port": 8082}],
            "template": {"containers": [{"name": "c", "env": [{"name": "A", "value": "1"}, {"name": "B"}]}]}}});
        assert_eq!(
            list_repair(&desired, &env_added),
            Some(
                json!({"spec": {"template": {"containers": [{"name": "c", "env": [{"name": "A", "value": "1"}]}]}}})
            )
        );
        assert_eq!(list_repair(&desired, &desired), None);
    }
}
