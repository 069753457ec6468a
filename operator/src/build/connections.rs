//! The connection budget: every pod of every service, at its largest
//! scale, fits in its PostgreSQL's `max_connections`.
//!
//! A service pod opens at most `DATABASE_MAX_CONNECTIONS` pooled connections
//! plus one for `LISTEN` (the outbox relay; orders opens a second, for order changes,
//! which [`RESERVED`] absorbs for up to 8 orders pods). A service may run
//! [`pods_at_most`] pods: `maxReplicas` (or `replicas` without autoscaling)
//! plus the rolling update's surge (25 %, rounded up). So an instance needs
//!
//! ```text
//! demand = Σ over its services of pods_at_most × (pool + 1)
//! max_connections = max(100, demand + RESERVED)
//! ```
//!
//! where [`RESERVED`] covers PostgreSQL's superuser slots and the backup,
//! restore and maintenance sessions. The pool is [`DEFAULT_POOL`] unless that
//! would exceed [`CEILING`]; then every service without its own
//! `DATABASE_MAX_CONNECTIONS` gets the same smaller pool, and a spec that
//! still does not fit with a pool of 1 is refused with the numbers.
//!
//! A shared instance is sized for every service of the contract, enabled or
//! not, so that toggling a service never restarts the database of the others.

use std::collections::BTreeMap;

use petstore_contract::ServiceSpec;

use crate::crd::{PetStoreSpec, PostgresTopology, ServiceConfig};

/// Pool size of a service when nothing is tight (the services' own default).
pub const DEFAULT_POOL: i32 = 10;
/// Connections kept free of the services: `superuser_reserved_connections`
/// (3) plus backup, restore and maintenance sessions (5).
pub const RESERVED: i32 = 8;
/// PostgreSQL's default `max_connections`, never lowered.
pub const POSTGRES_DEFAULT: i32 = 100;
/// The most `max_connections` the operator sets on one instance.
pub const CEILING: i32 = 500;

/// The most pods a service runs: its maximum plus the rolling update's surge.
pub fn pods_at_most(cfg: &ServiceConfig) -> i32 {
    let max = if cfg.autoscaling.enabled {
        cfg.autoscaling.max_replicas
    } else {
        cfg.replicas
    };
    max + (max + 3) / 4
}

/// Pool sizes per service and `max_connections` per instance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    /// `DATABASE_MAX_CONNECTIONS` of each service with a database.
    pub pools: BTreeMap<&'static str, i32>,
    /// `max_connections` of each instance: keyed by service for
    /// `PerService`, by `""` for the shared instance.
    pub max_connections: BTreeMap<&'static str, i32>,
}

fn override_of(cfg: &ServiceConfig) -> Option<i32> {
    cfg.env
        .get(petstore_contract::env::DATABASE_MAX_CONNECTIONS)
        .and_then(|v| v.trim().parse().ok())
}

/// Sizes one instance holding `services`; `Err` says why it cannot fit.
fn instance(
    spec: &PetStoreSpec,
    services: &[&'static ServiceSpec],
    budget: &mut Budget,
) -> Result<i32, String> {
    let available = CEILING - RESERVED;
    let mut fixed = 0;
    let mut free_pods = 0;
    for svc in services {
        let cfg = spec.service(svc.name);
        match override_of(&cfg) {
            Some(pool) => fixed += pods_at_most(&cfg) * (pool + 1),
            None => free_pods += pods_at_most(&cfg),
        }
    }
    let pool = if fixed + free_pods * (DEFAULT_POOL + 1) <= available {
        DEFAULT_POOL
    } else if free_pods == 0 {
        0
    } else {
        (available - fixed) / free_pods - 1
    };
    let demand = fixed + free_pods * (pool + 1);
    if (free_pods > 0 && pool < 1) || demand > available {
        let names: Vec<&str> = services.iter().map(|s| s.name).collect();
        return Err(format!(
            "{}: {} pods at most (maxReplicas plus rolling-update surge) need {} PostgreSQL connections even with the smallest pools, more than the {} the operator allows one instance ({CEILING} minus {RESERVED} reserved); lower maxReplicas or DATABASE_MAX_CONNECTIONS, or use postgres.topology PerService",
            names.join(", "),
            free_pods
                + services
                    .iter()
                    .filter(|s| override_of(&spec.service(s.name)).is_some())
                    .map(|s| pods_at_most(&spec.service(s.name)))
                    .sum::<i32>(),
            demand.max(fixed + free_pods * 2),
            available
        ));
    }
    for svc in services {
        let cfg = spec.service(svc.name);
        budget
            .pools
            .insert(svc.name, override_of(&cfg).unwrap_or(pool));
    }
    Ok((demand + RESERVED).max(POSTGRES_DEFAULT))
}

/// The budget of `spec`, or why it does not fit.
pub fn budget(spec: &PetStoreSpec) -> Result<Budget, String> {
    let mut budget = Budget::default();
    match spec.postgres.topology {
        PostgresTopology::PerService => {
            for svc in petstore_contract::SERVICES
                .iter()
                .filter(|s| s.has_database)
            {
                let max = instance(spec, &[svc], &mut budget)
                    .map_err(|e| format!("spec.services.{e}"))?;
                budget.max_connections.insert(svc.name, max);
            }
        }
        PostgresTopology::Shared => {
            let all: Vec<_> = petstore_contract::SERVICES
                .iter()
                .filter(|s| s.has_database)
                .collect();
            let max = instance(spec, &all, &mut budget)
                .map_err(|e| format!("spec.postgres (Shared) for {e}"))?;
            budget.max_connections.insert("", max);
        }
    }
    Ok(budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn the_minimal_store_keeps_the_default_pools() {
        let b = budget(&fixtures::minimal().spec).expect("fits");
        assert!(b.pools.values().all(|p| *p == DEFAULT_POOL));
        // 10 pods + 3 surge, 11 connections each, 8 reserved.
        assert_eq!(b.max_connections["users"], 13 * 11 + RESERVED);
    }

    #[test]
    fn the_shared_production_store_shrinks_the_pools_to_fit() {
        let spec = fixtures::full().spec;
        let b = budget(&spec).expect("fits");
        let demand: i32 = petstore_contract::SERVICES
            .iter()
            .filter(|s| s.has_database)
            .map(|s| pods_at_most(&spec.service(s.name)) * (b.pools[s.name] + 1))
            .sum();
        assert!(demand + RESERVED <= b.max_connections[""], "{b:?}");
        assert!(b.max_connections[""] <= CEILING);
        assert!(
            b.pools.values().all(|p| (1..DEFAULT_POOL).contains(p)),
            "{b:?}"
        );
    }

    #[test]
    fn a_store_that_cannot_fit_is_refused_with_the_numbers() {
        let mut spec = fixtures::full().spec;
        for svc in petstore_contract::SERVICES {
            let mut cfg = spec.service(svc.name);
            cfg.autoscaling.max_replicas = 100;
            spec.services.insert(svc.name.into(), cfg);
        }
        let err = budget(&spec).expect_err("too big");
        assert!(
            err.starts_with("spec.postgres (Shared) for users, catalog"),
            "{err}"
        );
        assert!(err.contains("lower maxReplicas"), "{err}");
    }
}
