//! Prometheus metrics of the event plumbing.

use std::sync::LazyLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Outcome label of `petstore_events_consumed_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ConsumedLabels {
    pub(crate) result: &'static str,
}

/// Table label of `petstore_events_pruned_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PrunedLabels {
    pub(crate) table: &'static str,
}

/// `kit.outbox`.
pub(crate) const TABLE_OUTBOX: &str = "outbox";
/// `kit.processed_events`.
pub(crate) const TABLE_PROCESSED_EVENTS: &str = "processed_events";

/// Handler succeeded and the effect was committed.
pub(crate) const RESULT_OK: &str = "ok";
/// The event had already been processed; no second effect.
pub(crate) const RESULT_DUPLICATE: &str = "duplicate";
/// Handler failed transiently; a copy was queued for another attempt.
pub(crate) const RESULT_RETRIED: &str = "retried";
/// The message went to the dead-letter queue.
pub(crate) const RESULT_DEAD_LETTERED: &str = "dead_lettered";

// Process-wide so that the relay and consumers need no handle to the registry; the metric
// types are Arc-backed, so registering clones shares the same values.
pub(crate) static PUBLISHED: LazyLock<Counter> = LazyLock::new(Counter::default);
pub(crate) static CONSUMED: LazyLock<Family<ConsumedLabels, Counter>> =
    LazyLock::new(Family::default);
pub(crate) static OUTBOX_PENDING: LazyLock<Gauge> = LazyLock::new(Gauge::default);
pub(crate) static PRUNED: LazyLock<Family<PrunedLabels, Counter>> = LazyLock::new(Family::default);

pub(crate) fn consumed(result: &'static str) {
    CONSUMED.get_or_create(&ConsumedLabels { result }).inc();
}

pub(crate) fn pruned(table: &'static str, rows: u64) {
    PRUNED.get_or_create(&PrunedLabels { table }).inc_by(rows);
}

/// Registers the event metrics: `petstore_events_published_total`,
/// `petstore_events_consumed_total{result}`, `petstore_events_pruned_total{table}` and the
/// `petstore_outbox_pending` gauge.
///
/// The names carry no prefix: the service's registry supplies `petstore_`.
pub fn register_metrics(registry: &mut Registry) {
    // prometheus-client appends `_total` to counters itself.
    registry.register(
        "events_published",
        "Events published by the outbox relay and confirmed by the broker",
        PUBLISHED.clone(),
    );
    registry.register(
        "events_consumed",
        "Events handled by consumers, by result (ok, duplicate, retried, dead_lettered)",
        CONSUMED.clone(),
    );
    registry.register(
        "outbox_pending",
        "Outbox rows not yet published, as last seen by the relay",
        OUTBOX_PENDING.clone(),
    );
    registry.register(
        "events_pruned",
        "Event bookkeeping rows deleted past their retention, by table (outbox, processed_events)",
        PRUNED.clone(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_prefixed_names() {
        let mut registry = Registry::with_prefix("petstore");
        register_metrics(&mut registry);
        consumed(RESULT_OK);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        assert!(text.contains("petstore_events_published_total"), "{text}");
        assert!(
            text.contains("petstore_events_consumed_total{result=\"ok\"}"),
            "{text}"
        );
        assert!(text.contains("petstore_outbox_pending"), "{text}");
        assert!(!text.contains("petstore_petstore_"), "{text}");
    }
}
