//! Prometheus metrics of supervised workers.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WorkerLabels {
    worker: String,
}

/// `petstore_worker_up{worker}` and `petstore_worker_restarts_total{worker}` of one
/// supervisor; cloning shares the values.
#[derive(Debug, Clone, Default)]
pub(crate) struct WorkerMetrics {
    up: Family<WorkerLabels, Gauge>,
    restarts: Family<WorkerLabels, Counter>,
}

impl WorkerMetrics {
    /// Registers both families in `registry` (whose prefix supplies `petstore_`).
    pub(crate) fn register(&self, registry: &mut Registry) {
        registry.register(
            "worker_up",
            "Whether a supervised background worker is running (1) or not (0)",
            self.up.clone(),
        );
        // prometheus-client appends `_total` to counters itself.
        registry.register(
            "worker_restarts",
            "Restarts of a supervised background worker after it ended or panicked",
            self.restarts.clone(),
        );
    }

    pub(crate) fn set_up(&self, worker: &str, up: bool) {
        self.up.get_or_create(&labels(worker)).set(i64::from(up));
    }

    /// Makes the counter exist at 0, so that a rate over it is defined from the start.
    pub(crate) fn touch_restarts(&self, worker: &str) {
        let _ = self.restarts.get_or_create(&labels(worker));
    }

    pub(crate) fn restarted(&self, worker: &str) {
        self.restarts.get_or_create(&labels(worker)).inc();
    }
}

fn labels(worker: &str) -> WorkerLabels {
    WorkerLabels {
        worker: worker.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_up_and_restarts_per_worker() {
        let metrics = WorkerMetrics::default();
        let mut registry = Registry::with_prefix("petstore");
        metrics.register(&mut registry);
        metrics.set_up("outbox-relay", true);
        metrics.touch_restarts("outbox-relay");
        metrics.set_up("retention", false);
        metrics.restarted("retention");
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        assert!(
            text.contains(r#"petstore_worker_up{worker="outbox-relay"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"petstore_worker_up{worker="retention"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"petstore_worker_restarts_total{worker="outbox-relay"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"petstore_worker_restarts_total{worker="retention"} 1"#),
            "{text}"
        );
    }
}
