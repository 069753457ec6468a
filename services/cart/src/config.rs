//! The cart service's configuration: the variables every data service reads, plus
//! the base URLs of the catalog and the orders service.

use kit::config::{Env, FromEnv};

/// What the cart service reads beside the variables every data service reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL of the catalog (`CATALOG_URL`, required), e.g. `http://catalog:8082`.
    pub catalog_url: String,
    /// Base URL of the orders service (`ORDERS_URL`, required), e.g. `http://orders:8085`,
    /// to which checkout hands the order over synchronously.
    pub orders_url: String,
}

impl FromEnv for Settings {
    fn from_env(env: &mut Env) -> Option<Self> {
        let catalog_url = env.upstream_url("catalog");
        let orders_url = env.upstream_url("orders");
        Some(Self {
            catalog_url: catalog_url?,
            orders_url: orders_url?,
        })
    }
}
