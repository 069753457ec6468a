//! `render`: every object the operator would create for a PetStore, offline,
//! from the same builders the reconciler uses.

use crate::build::{self, secrets};
use crate::crd::PetStore;
use crate::reconcile::validate::validate;

/// Parses a PetStore manifest and renders its objects as a YAML stream.
///
/// The generated Secrets are printed without values: the operator generates
/// them once, in the cluster.
pub fn render(yaml: &str) -> Result<String, String> {
    let ps: PetStore = serde_yaml::from_str(yaml).map_err(|e| format!("not a PetStore: {e}"))?;
    validate(&ps.spec).map_err(|e| format!("invalid PetStore spec: {e}"))?;
    let mut values: Vec<serde_json::Value> = secrets::desired(&ps)
        .into_iter()
        .map(|(s, _)| serde_json::to_value(s).unwrap_or_default())
        .collect();
    values.extend(build::build(&ps).into_iter().map(|c| c.object));
    let mut out = String::new();
    for v in values {
        out.push_str("---\n");
        out.push_str(&serde_yaml::to_string(&v).map_err(|e| e.to_string())?);
    }
    Ok(out)
}
