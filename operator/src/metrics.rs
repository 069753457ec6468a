//! Prometheus metrics of the operator (`petstore_operator_*`).

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of the failure counter.
pub type Labels = Vec<(String, String)>;

/// The operator's metrics and their registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Reconciles started.
    pub reconciles: Counter,
    /// Failed reconciles by error category.
    pub failures: Family<Labels, Counter>,
    /// Reconcile duration.
    pub duration: Histogram,
    /// Server-side applies of children (changed objects only).
    pub applies: Counter,
    /// 1 while this replica holds the leader Lease, 0 on a standby (whose
    /// counters stay at zero: read the leader's, e.g. `... * on(pod)
    /// group_left petstore_operator_leader == 1`).
    pub leader: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("petstore_operator");
        let reconciles = Counter::default();
        let failures = Family::<Labels, Counter>::default();
        let duration = Histogram::new(exponential_buckets(0.005, 2.0, 12));
        let applies = Counter::default();
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 on the replica holding the leader Lease, 0 on a standby",
            leader.clone(),
        );
        registry.register(
            "reconciles",
            "PetStore reconciles started",
            reconciles.clone(),
        );
        registry.register(
            "reconcile_failures",
            "Failed PetStore reconciles by error category",
            failures.clone(),
        );
        registry.register(
            "reconcile_duration_seconds",
            "Duration of PetStore reconciles",
            duration.clone(),
        );
        registry.register(
            "applies",
            "Children written with server-side apply",
            applies.clone(),
        );
        Self {
            registry,
            reconciles,
            failures,
            duration,
            applies,
            leader,
        }
    }
}

impl Metrics {
    /// Counts a failure of `category`.
    pub fn failure(&self, category: &str) {
        self.failures
            .get_or_create(&vec![("category".to_string(), category.to_string())])
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_the_documented_names() {
        let m = Metrics::default();
        m.reconciles.inc();
        m.failure("apply");
        m.duration.observe(0.01);
        let text = m.render();
        for name in [
            "petstore_operator_reconciles_total 1",
            "petstore_operator_reconcile_failures_total{category=\"apply\"} 1",
            "petstore_operator_reconcile_duration_seconds_count 1",
            "petstore_operator_applies_total 0",
            "petstore_operator_leader 0",
        ] {
            assert!(text.contains(name), "{name} missing in\n{text}");
        }
    }
}
