//! PetStores for tests, benchmarks and examples.

use crate::crd::PetStore;

/// The minimal example: `manifests/petstore-minimal.yaml` in namespace `shop`.
pub const MINIMAL_YAML: &str = include_str!("../../manifests/petstore-minimal.yaml");
/// The production-like example: `manifests/petstore-production.yaml`.
pub const FULL_YAML: &str = include_str!("../../manifests/petstore-production.yaml");

/// Parses a PetStore from YAML.
pub fn parse(yaml: &str) -> PetStore {
    match serde_yaml::from_str(yaml) {
        Ok(ps) => ps,
        Err(e) => panic!("invalid fixture: {e}"),
    }
}

/// The minimal PetStore `shop` in namespace `shop`.
pub fn minimal() -> PetStore {
    parse(MINIMAL_YAML)
}

/// The production-like PetStore `shop` (shared database, ingress, resources).
pub fn full() -> PetStore {
    parse(FULL_YAML)
}
