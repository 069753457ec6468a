//! Credentials follow their Secrets.
//!
//! PostgreSQL and RabbitMQ read a password from the environment only when
//! they initialise an empty volume; a Secret re-created (deleted by mistake)
//! or rotated later would lock the services out. So both start through a
//! script of this ConfigMap ([`POSTGRES_START`], [`RABBITMQ_START`]) that, once
//! the server runs, sets every password to the one its Secret holds now.
//!
//! And every pod that reads a Secret restarts when it changes: the pod
//! template of each Deployment and StatefulSet carries [`ANNOTATION`], a hash
//! of the versions of the Secrets it references ([`annotate`]). A changed
//! Secret thus restarts its database or broker (which takes the new
//! password) and the services using it (which connect with it).

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::{ConfigMap, ConfigMapVolumeSource, Secret, Volume, VolumeMount};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Child, instance, meta, security};
use crate::crd::PetStore;

/// Start script of the PostgreSQL containers.
pub const POSTGRES_START: &str = include_str!("../../scripts/postgres-start.sh");
/// Start script of the RabbitMQ container.
pub const RABBITMQ_START: &str = include_str!("../../scripts/rabbitmq-start.sh");
/// File name of [`POSTGRES_START`] in the ConfigMap.
pub const POSTGRES_START_FILE: &str = "postgres-start.sh";
/// File name of [`RABBITMQ_START`] in the ConfigMap.
pub const RABBITMQ_START_FILE: &str = "rabbitmq-start.sh";
/// Where the ConfigMap is mounted.
pub const DIR: &str = "/opt/petstore";
/// Pod template annotation: hash of the referenced Secrets' versions.
pub const ANNOTATION: &str = "petstore.dev/credentials";

/// Name of the ConfigMap holding the start scripts.
pub fn config_map_name(ps: &PetStore) -> String {
    format!("{}-start-scripts", instance(ps))
}

/// The ConfigMap with both start scripts.
pub fn build(ps: &PetStore) -> Child {
    Child::new(&ConfigMap {
        metadata: meta(ps, config_map_name(ps), "petstore", "database"),
        data: Some(BTreeMap::from([
            (POSTGRES_START_FILE.into(), POSTGRES_START.into()),
            (RABBITMQ_START_FILE.into(), RABBITMQ_START.into()),
        ])),
        ..ConfigMap::default()
    })
}

/// The volume and read-only mount of the start scripts.
pub fn volume(ps: &PetStore) -> (Volume, VolumeMount) {
    let volume = Volume {
        name: "start-scripts".into(),
        config_map: Some(ConfigMapVolumeSource {
            name: config_map_name(ps),
            default_mode: Some(0o555),
            ..ConfigMapVolumeSource::default()
        }),
        ..Volume::default()
    };
    let mount = VolumeMount {
        read_only: Some(true),
        ..security::mount("start-scripts", DIR)
    };
    (volume, mount)
}

/// The command running the start script `file`.
pub fn command(file: &str) -> Vec<String> {
    vec!["/bin/sh".into(), format!("{DIR}/{file}")]
}

/// Version of a Secret's content: a hash of its keys and values (`data`
/// and `stringData` alike, so a Secret just created and the same Secret read
/// back give the same version).
pub fn version(secret: &Secret) -> String {
    let mut entries: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for (k, v) in secret.data.iter().flatten() {
        entries.insert(k, v.0.clone());
    }
    for (k, v) in secret.string_data.iter().flatten() {
        entries.insert(k, v.as_bytes().to_vec());
    }
    let mut hasher = Sha256::new();
    for (k, v) in entries {
        hasher.update(k.as_bytes());
        hasher.update([0]);
        hasher.update(&v);
        hasher.update([0]);
    }
    format!("{:x}", hasher.finalize())
}

fn referenced_secrets(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            if let Some(name) = m
                .get("secretKeyRef")
                .and_then(|r| r.get("name"))
                .and_then(Value::as_str)
            {
                out.push(name.to_string());
            }
            m.values().for_each(|v| referenced_secrets(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| referenced_secrets(v, out)),
        _ => {}
    }
}

/// Sets [`ANNOTATION`] on the pod template of every Deployment and
/// StatefulSet to a hash of the `versions` (Secret name → [`version`]) of
/// the Secrets it references. Without versions (`render`) nothing changes.
pub fn annotate(children: &mut [Child], versions: &BTreeMap<String, String>) {
    for child in children
        .iter_mut()
        .filter(|c| matches!(c.resource.kind.as_str(), "Deployment" | "StatefulSet"))
    {
        let mut names = Vec::new();
        if let Some(pod) = child.object.pointer("/spec/template/spec") {
            referenced_secrets(pod, &mut names);
        }
        names.sort();
        names.dedup();
        let known: Vec<String> = names
            .iter()
            .filter_map(|n| versions.get(n).map(|v| format!("{n}={v}")))
            .collect();
        if known.is_empty() {
            continue;
        }
        let hash = format!("{:x}", Sha256::digest(known.join(",").as_bytes()));
        if let Some(template) = child
            .object
            .pointer_mut("/spec/template/metadata")
            .and_then(Value::as_object_mut)
        {
            let annotations = template
                .entry("annotations")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(a) = annotations.as_object_mut() {
                a.insert(ANNOTATION.into(), Value::String(hash[..16].to_string()));
            }
        }
    }
}

fn pod_annotation(object: &Value) -> Option<&Value> {
    object.pointer(&format!(
        "/spec/template/metadata/annotations/{}",
        ANNOTATION.replace('/', "~1")
    ))
}

fn secrets_of(object: &Value) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(pod) = object.pointer("/spec/template/spec") {
        referenced_secrets(pod, &mut names);
    }
    names
}

/// Is the StatefulSet still taking new credentials: the desired template
/// carries other ones than the live object, or its controller reports a
/// rollout under way (a generation not yet observed, pods not yet at the
/// update revision, or not ready)?
fn rolling(desired: &Value, live: Option<&Value>) -> bool {
    let Some(live) = live else { return false };
    if pod_annotation(desired) != pod_annotation(live) {
        return true;
    }
    let int = |p: &str| live.pointer(p).and_then(Value::as_i64);
    let text = |p: &str| live.pointer(p).and_then(Value::as_str);
    let unobserved = matches!(
        (int("/status/observedGeneration"), int("/metadata/generation")),
        (Some(seen), Some(generation)) if seen < generation
    );
    let updating = matches!(
        (text("/status/updateRevision"), text("/status/currentRevision")),
        (Some(update), Some(current)) if update != current
    );
    let unready = matches!(
        (int("/status/readyReplicas"), int("/status/replicas")),
        (ready, Some(replicas)) if ready.unwrap_or(0) < replicas
    );
    unobserved || updating || unready
}

/// Orders a credential change: a Deployment whose [`ANNOTATION`] would change
/// keeps its current one until every StatefulSet (database, broker) reading
/// one of its Secrets has restarted with the new credentials, so the
/// service's new pods never start against a server that does not know the
/// new password yet. `observed` holds the live children by kind and name (a
/// [`crate::status::Observed`], spelled out so that the builders do not import
/// the status, which imports them); returns each held Deployment with what it
/// waits for.
pub fn hold_until_rolled(
    children: &mut [Child],
    observed: &HashMap<(String, String), Value>,
) -> Vec<(String, String)> {
    let unrolled: Vec<(String, Vec<String>)> = children
        .iter()
        .filter(|c| c.resource.kind == "StatefulSet")
        .filter(|c| {
            rolling(
                &c.object,
                observed.get(&("StatefulSet".to_string(), c.name.clone())),
            )
        })
        .map(|c| (c.name.clone(), secrets_of(&c.object)))
        .collect();
    let mut waiting = Vec::new();
    for child in children
        .iter_mut()
        .filter(|c| c.resource.kind == "Deployment")
    {
        let Some(live) = observed.get(&("Deployment".to_string(), child.name.clone())) else {
            continue;
        };
        let current = pod_annotation(live).cloned();
        if current.is_none() || pod_annotation(&child.object) == current.as_ref() {
            continue;
        }
        let mine = secrets_of(&child.object);
        let blockers: Vec<&str> = unrolled
            .iter()
            .filter(|(_, theirs)| theirs.iter().any(|s| mine.contains(s)))
            .map(|(name, _)| name.as_str())
            .collect();
        if blockers.is_empty() {
            continue;
        }
        waiting.push((
            child.name.clone(),
            format!(
                "{} waits for {} to restart with the new credentials",
                child.name,
                blockers.join(", ")
            ),
        ));
        if let (Some(template), Some(current)) = (
            child
                .object
                .pointer_mut("/spec/template/metadata/annotations")
                .and_then(Value::as_object_mut),
            current,
        ) {
            template.insert(ANNOTATION.into(), current);
        }
    }
    waiting
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn only_the_pods_reading_a_changed_secret_restart() {
        let ps = fixtures::minimal();
        let mut versions: BTreeMap<String, String> = crate::build::secrets::desired(&ps)
            .into_iter()
            .map(|(s, _)| (s.metadata.name.unwrap_or_default(), "1".to_string()))
            .collect();
        let annotation = |children: &[Child], name: &str| {
            let workload = |c: &&Child| {
                c.name == name && matches!(c.resource.kind.as_str(), "Deployment" | "StatefulSet")
            };
            children.iter().find(workload).and_then(|c| {
                c.object
                    .pointer(&format!(
                        "/spec/template/metadata/annotations/{}",
                        ANNOTATION.replace('/', "~1")
                    ))
                    .cloned()
            })
        };
        let mut before = crate::build::build(&ps);
        annotate(&mut before, &versions);
        versions.insert("shop-users-database".into(), "2".into());
        let mut after = crate::build::build(&ps);
        annotate(&mut after, &versions);
        for changed in ["shop-users", "shop-postgres-users"] {
            assert!(annotation(&before, changed).is_some(), "{changed}");
            assert_ne!(
                annotation(&before, changed),
                annotation(&after, changed),
                "{changed}"
            );
        }
        for same in ["shop-catalog", "shop-postgres-catalog", "shop-rabbitmq"] {
            assert_eq!(
                annotation(&before, same),
                annotation(&after, same),
                "{same}"
            );
        }
    }

    #[test]
    fn a_version_is_the_same_from_string_data_and_data() {
        let a = Secret {
            string_data: Some(BTreeMap::from([("password".into(), "x".into())])),
            ..Secret::default()
        };
        let b = Secret {
            data: Some(BTreeMap::from([(
                "password".into(),
                k8s_openapi::ByteString(b"x".to_vec()),
            )])),
            ..Secret::default()
        };
        assert_eq!(version(&a), version(&b));
    }
}
