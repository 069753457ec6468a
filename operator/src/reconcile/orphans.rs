//! Step 4: delete the children the spec no longer asks for (a disabled
//! service, a switched topology, the ingress turned off). Only children
//! owned by this PetStore are deleted: the backup volumes carry no owner
//! reference and the credentials are never pruned (they are data).

use std::collections::HashSet;

use kube::api::{Api, DeleteParams, DynamicObject};
use kube::core::ApiResource;
use kube::{Client, ResourceExt};
use tracing::info;

use super::apply::{ChildError, Verb};
use crate::build::{self, Child};

/// The observed children that are prunable kinds, owned by the PetStore
/// with `uid`, and not in `desired`.
pub fn find(
    children: &[(ApiResource, DynamicObject)],
    desired: &[Child],
    uid: Option<&str>,
) -> Vec<(ApiResource, String)> {
    let wanted: HashSet<(&str, &str)> = desired
        .iter()
        .map(|c| (c.resource.kind.as_str(), c.name.as_str()))
        .collect();
    let prunable = build::managed_kinds();
    children
        .iter()
        .filter(|(ar, obj)| {
            prunable.contains(ar)
                && !wanted.contains(&(ar.kind.as_str(), obj.name_any().as_str()))
                && uid.is_some_and(|uid| obj.owner_references().iter().any(|o| o.uid == uid))
        })
        .map(|(ar, obj)| (ar.clone(), obj.name_any()))
        .collect()
}

/// Deletes `orphans`, all of them; returns the failures.
pub async fn delete(
    client: &Client,
    ns: &str,
    orphans: &[(ApiResource, String)],
) -> Vec<ChildError> {
    let mut failures = Vec::new();
    for (ar, name) in orphans {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, ar);
        match api.delete(name, &DeleteParams::background()).await {
            Ok(_) => info!(kind = %ar.kind, %name, "deleted child the spec no longer asks for"),
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(source) => failures.push(ChildError {
                verb: Verb::Delete,
                kind: ar.kind.clone(),
                name: name.clone(),
                source,
            }),
        }
    }
    failures
}
