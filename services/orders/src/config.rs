//! The orders service's configuration: the variables every data service reads, plus
//! the catalog's base URL, where prices are looked up.

use kit::config::{Env, FromEnv};

/// What the orders service reads beside the variables every data service reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL of the catalog (`CATALOG_URL`, required), where prices are looked up.
    pub catalog_url: String,
}

impl FromEnv for Settings {
    fn from_env(env: &mut Env) -> Option<Self> {
        let catalog_url = env.upstream_url("catalog");
        Some(Self {
            catalog_url: catalog_url?,
        })
    }
}
