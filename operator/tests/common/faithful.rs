//! What a real API server does and kube-fake-client 0.3 does not, mimicked
//! for the reconcile tests. Each behaviour is named where a test relies on it.
//!
//! - **list items without `apiVersion`/`kind`**: a real server's LIST answers
//!   carry TypeMeta on the list, not on its items ([`strip_list_type_meta`]);
//! - **server-side apply merges keyed lists by key across field managers**
//!   and **drops the fields a manager stopped applying** ([`apply`]): the fake
//!   JSON-merges the applied body, replacing every list and never removing a
//!   field;
//! - **validation of the merged object** ([`invalid`]): duplicate port names
//!   are a 422, as kube-apiserver answers.

use serde_json::{Map, Value};

/// Key fields of the list-map lists the operator applies (the
/// `x-kubernetes-list-map-keys` of the Kubernetes schema); other lists are
/// atomic and replaced whole.
fn list_key(field: &str, item: &Value) -> Option<String> {
    let get = |k: &str| item.get(k).map(Value::to_string).unwrap_or_default();
    let protocol = || {
        item.get("protocol")
            .and_then(Value::as_str)
            .unwrap_or("TCP")
            .to_string()
    };
    match field {
        "containers" | "initContainers" | "env" | "volumes" | "imagePullSecrets" => {
            Some(get("name"))
        }
        "volumeMounts" => Some(get("mountPath")),
        "ownerReferences" => Some(get("uid")),
        "ports" if item.get("containerPort").is_some() => {
            Some(format!("{}/{}", get("containerPort"), protocol()))
        }
        "ports" if item.get("port").is_some() => Some(format!("{}/{}", get("port"), protocol())),
        _ => None,
    }
}

fn is_keyed(field: &str, items: &[Value]) -> bool {
    items.first().is_some_and(|i| list_key(field, i).is_some())
}

/// Server-side apply of `config` by a manager whose previous applied
/// configuration was `previous`, onto `live`:
/// objects merge field by field; a field in `previous` but not in `config`
/// is removed (the manager no longer claims it); keyed lists merge entry by
/// entry, keeping the entries of other managers (whose keys the manager never
/// applied) beside the manager's; atomic lists are replaced.
pub fn apply(live: Option<&Value>, previous: Option<&Value>, config: &Value, field: &str) -> Value {
    match config {
        Value::Object(c) => {
            let mut out: Map<String, Value> =
                live.and_then(Value::as_object).cloned().unwrap_or_default();
            if let Some(Value::Object(p)) = previous {
                for k in p.keys() {
                    if !c.contains_key(k) {
                        out.remove(k);
                    }
                }
            }
            for (k, v) in c {
                let merged = apply(out.get(k), previous.and_then(|p| p.get(k)), v, k);
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        Value::Array(c) if is_keyed(field, c) => {
            let key = |v: &Value| list_key(field, v);
            let live_items: &[Value] = live.and_then(Value::as_array).map_or(&[], Vec::as_slice);
            let prev_items: &[Value] = previous
                .and_then(Value::as_array)
                .map_or(&[], Vec::as_slice);
            let find =
                |items: &[Value], k: &Option<String>| items.iter().find(|i| &key(i) == k).cloned();
            // The applied entries in the applied order, then the entries of
            // other managers (whose keys this manager never applied).
            let mut out: Vec<Value> = c
                .iter()
                .map(|ci| {
                    let k = key(ci);
                    let live_item = find(live_items, &k);
                    apply(live_item.as_ref(), find(prev_items, &k).as_ref(), ci, "")
                })
                .collect();
            for item in live_items {
                let k = key(item);
                if find(c, &k).is_none() && find(prev_items, &k).is_none() {
                    out.push(item.clone());
                }
            }
            Value::Array(out)
        }
        _ => config.clone(),
    }
}

/// What kube-apiserver's validation would refuse in a merged object.
pub fn invalid(object: &Value) -> Option<String> {
    let duplicate = |ports: Option<&Value>, path: &str| -> Option<String> {
        let ports = ports?.as_array()?;
        let mut seen = Vec::new();
        for (i, p) in ports.iter().enumerate() {
            if let Some(name) = p.get("name").and_then(Value::as_str) {
                if seen.contains(&name) {
                    return Some(format!("{path}[{i}].name: Duplicate value: \"{name}\""));
                }
                seen.push(name);
            }
        }
        None
    };
    if let Some(problem) = duplicate(object.pointer("/spec/ports"), "spec.ports") {
        return Some(problem);
    }
    for pointer in ["/spec/template/spec/containers"] {
        for (i, c) in object
            .pointer(pointer)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let path = format!("spec.template.spec.containers[{i}].ports");
            if let Some(problem) = duplicate(c.get("ports"), &path) {
                return Some(problem);
            }
        }
    }
    None
}

/// Removes `apiVersion` and `kind` from the items of a LIST answer.
pub fn strip_list_type_meta(body: &mut Value) -> bool {
    let Some(items) = body.get_mut("items").and_then(Value::as_array_mut) else {
        return false;
    };
    for item in items {
        if let Some(o) = item.as_object_mut() {
            o.remove("apiVersion");
            o.remove("kind");
        }
    }
    true
}
