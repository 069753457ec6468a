//! Step 3a: the generated Secrets, created once and never overwritten.

use std::collections::HashMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::{Client, Resource, ResourceExt};
use serde_json::json;

use crate::build::{FIELD_MANAGER, secrets};
use crate::crd::PetStore;

/// Creating a generated Secret failed.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Generating values failed.
    #[error("failed to generate Secret {name}: {reason}")]
    Generate {
        /// Name of the Secret.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// Re-adopting a retained Secret failed.
    #[error("failed to adopt the retained Secret {name}")]
    Adopt {
        /// Name of the Secret.
        name: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },
    /// The API refused the Secret.
    #[error("failed to create Secret {name}")]
    Create {
        /// Name of the Secret.
        name: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },
}

/// Creates the generated Secrets that are absent. A Secret that exists with
/// none of its generated keys (e.g. applied from `render` output) is filled
/// in; a Secret holding any of them is never touched. Returns the Secrets
/// written, with their values.
pub async fn ensure(
    client: &Client,
    ps: &PetStore,
    ns: &str,
    existing: &HashMap<String, Secret>,
) -> Result<Vec<Secret>, SecretError> {
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    let mut written = Vec::new();
    for (shell, kind) in secrets::desired(ps) {
        let name = shell.name_any();
        let empty = match existing.get(&name) {
            None => false,
            Some(current) => {
                let has = |k: &String| {
                    current.data.as_ref().is_some_and(|d| d.contains_key(k))
                        || current
                            .string_data
                            .as_ref()
                            .is_some_and(|d| d.contains_key(k))
                };
                if secrets::keys(&kind).iter().any(has) {
                    adopt(&api, ps, current).await?;
                    continue;
                }
                true
            }
        };
        let secret = secrets::generate(shell, &kind).map_err(|reason| SecretError::Generate {
            name: name.clone(),
            reason,
        })?;
        let result = if empty {
            // Filled and adopted at once (render output carries no owner).
            let owners = ps.controller_owner_ref(&()).map(|o| vec![o]);
            let patch = json!({
                "metadata": { "ownerReferences": owners },
                "stringData": secret.string_data,
            });
            api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .map(|_| ())
        } else {
            let pp = PostParams {
                field_manager: Some(FIELD_MANAGER.into()),
                ..PostParams::default()
            };
            api.create(&pp, &secret).await.map(|_| ())
        };
        match result {
            Ok(()) => written.push(secret),
            // Someone (another replica, a restore) created it first: keep theirs.
            Err(kube::Error::Api(s)) if s.code == 409 => {}
            Err(source) => return Err(SecretError::Create { name, source }),
        }
    }
    Ok(written)
}

/// Gives a Secret kept by an earlier PetStore of the same name (deleted with
/// `dataRetention: Retain`, which releases them) back to this one, so a later
/// `Delete` removes it with the store.
async fn adopt(api: &Api<Secret>, ps: &PetStore, current: &Secret) -> Result<(), SecretError> {
    let Some(owner) = ps.controller_owner_ref(&()) else {
        return Ok(());
    };
    if current
        .owner_references()
        .iter()
        .any(|o| o.uid == owner.uid)
    {
        return Ok(());
    }
    let name = current.name_any();
    let mut refs: Vec<_> = current
        .owner_references()
        .iter()
        .filter(|o| o.controller != Some(true))
        .cloned()
        .collect();
    refs.push(owner);
    let patch = json!({ "metadata": { "ownerReferences": refs } });
    api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|source| SecretError::Adopt { name, source })?;
    tracing::info!(secret = %current.name_any(), "adopted a retained Secret");
    Ok(())
}
